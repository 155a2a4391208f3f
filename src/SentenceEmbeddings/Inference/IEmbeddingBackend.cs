using SentenceEmbeddings.Batching;

namespace SentenceEmbeddings.Inference;

/// <summary>Runs one batch of a call's texts through a model and writes each text's pooled vector into its request.</summary>
/// <remarks>The scheduler calls <see cref="Run"/> for one batch at a time, so an implementation may reuse its buffers between batches.</remarks>
internal interface IEmbeddingBackend : IDisposable
{
    /// <summary>Gets the length of the vectors the backend writes.</summary>
    int Dimensions { get; }

    /// <summary>Gets the execution provider that runs the model.</summary>
    ExecutionProvider ExecutionProvider { get; }

    /// <summary>Gets why the execution provider asked for could not start, after a fallback to the CPU; otherwise <see langword="null"/>.</summary>
    string? FallbackReason { get; }

    /// <summary>Pads the batch to <paramref name="sequenceLength"/>, runs it, and sets <c>Vectors[Index]</c> of each text's request.</summary>
    /// <param name="batch">The texts, each its request and its index in that request.</param>
    /// <param name="sequenceLength">The longest text's token count: the padded length.</param>
    /// <param name="abandoned">Cancelled when every call with a text in the batch has ended, so that no one waits for its vectors.</param>
    /// <exception cref="OperationCanceledException"><paramref name="abandoned"/> was cancelled and the run stopped before its end.</exception>
    void Run(ReadOnlySpan<PendingText> batch, int sequenceLength, CancellationToken abandoned);
}
