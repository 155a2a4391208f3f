using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Inference;

namespace SentenceEmbeddings.Pooling;

/// <summary>Turns a batch's model output into one vector per text: the folder's pooling, then L2 when the model has a Normalize module.</summary>
/// <param name="pooling">The pooling modes of the model folder.</param>
/// <param name="normalize">Whether vectors are scaled to unit length.</param>
/// <param name="outputKind">Whether the output holds token vectors or already pooled ones.</param>
/// <param name="hiddenSize">The size of one output vector.</param>
internal sealed class BatchPooler(PoolingSettings pooling, bool normalize, ModelOutputKind outputKind, int hiddenSize)
{
    /// <summary>Gets the length of the pooled vectors.</summary>
    public int Dimensions { get; } = outputKind == ModelOutputKind.SentenceEmbedding ? hiddenSize : hiddenSize * pooling.VectorCount;

    /// <summary>Gets the number of floats the model writes for a batch of that shape.</summary>
    /// <param name="batchSize">The number of texts.</param>
    /// <param name="sequenceLength">The padded length.</param>
    /// <returns>The output's length.</returns>
    public int OutputLength(int batchSize, int sequenceLength) =>
        outputKind == ModelOutputKind.TokenEmbeddings ? batchSize * sequenceLength * hiddenSize : batchSize * hiddenSize;

    /// <summary>Pools each row of the output into a new vector and stores it in the text's request.</summary>
    /// <param name="batch">The batch's texts, in row order.</param>
    /// <param name="sequenceLength">The padded length.</param>
    /// <param name="output">The model's output for the batch.</param>
    public void Pool(ReadOnlySpan<PendingText> batch, int sequenceLength, ReadOnlySpan<float> output)
    {
        for (int row = 0; row < batch.Length; row++)
        {
            EmbeddingRequest request = batch[row].Request;
            int index = batch[row].Index;
            int length = request.Lengths[index];
            float[] vector = new float[Dimensions];
            if (outputKind == ModelOutputKind.SentenceEmbedding)
            {
                output.Slice(row * hiddenSize, hiddenSize).CopyTo(vector);
            }
            else
            {
                ReadOnlySpan<float> tokens = output.Slice(row * sequenceLength * hiddenSize, sequenceLength * hiddenSize);
                int pooledFrom = pooling.IncludePrompt ? 0 : Math.Min(request.FirstPooled, length);
                TokenPooler.Pool(tokens, hiddenSize, length, pooledFrom, pooling, vector);
            }

            if (normalize)
            {
                TokenPooler.NormalizeL2(vector);
            }

            request.Vectors[index] = vector;
        }
    }
}
