using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Inference;

namespace SentenceEmbeddings.Tests.Inference;

/// <summary>A backend without a model: each text's vector is its first token ids (zero-padded), after a hook that can block or throw.</summary>
internal sealed class FakeEmbeddingBackend(FakeEmbeddingBackend.BatchHook? onBatch = null, int dimensions = 4) : IEmbeddingBackend
{
    private readonly Lock _gate = new();
    private readonly List<PendingText[]> _batches = [];

    /// <summary>Runs before a batch's vectors are written; throwing fails the batch.</summary>
    public delegate void BatchHook(ReadOnlySpan<PendingText> batch, int sequenceLength);

    public int Dimensions => dimensions;

    public ExecutionProvider ExecutionProvider => ExecutionProvider.Cpu;

    public string? FallbackReason => null;

    public bool IsDisposed { get; private set; }

    /// <summary>Gets the token the scheduler passed with the batch that runs now (or ran last).</summary>
    public CancellationToken Abandoned { get; private set; }

    /// <summary>Gets a copy of the batches run so far, in order.</summary>
    public List<PendingText[]> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    /// <summary>The vector this backend gives a text of these token ids.</summary>
    public static float[] VectorOf(ReadOnlySpan<long> tokenIds, int dimensions)
    {
        float[] vector = new float[dimensions];
        for (int i = 0; i < Math.Min(dimensions, tokenIds.Length); i++)
        {
            vector[i] = tokenIds[i];
        }

        return vector;
    }

    public void Run(ReadOnlySpan<PendingText> batch, int sequenceLength, CancellationToken abandoned)
    {
        Abandoned = abandoned;
        lock (_gate)
        {
            _batches.Add(batch.ToArray());
        }

        onBatch?.Invoke(batch, sequenceLength);
        foreach (PendingText text in batch)
        {
            EmbeddingRequest request = text.Request;
            request.Vectors[text.Index] = VectorOf(request.TokenIds.AsSpan(request.Offsets[text.Index], request.Lengths[text.Index]), dimensions);
        }
    }

    public void Dispose() => IsDisposed = true;
}
