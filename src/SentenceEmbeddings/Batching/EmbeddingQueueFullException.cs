namespace SentenceEmbeddings;

/// <summary>Represents a call refused because the generator already has as many texts queued as it allows.</summary>
/// <remarks>Thrown only with <see cref="QueueFullMode.Fail"/>; an HTTP host would answer 429 or 503 and let the client retry.</remarks>
public sealed class EmbeddingQueueFullException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="EmbeddingQueueFullException"/> class.</summary>
    public EmbeddingQueueFullException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EmbeddingQueueFullException"/> class with a message.</summary>
    /// <param name="message">The message that describes the problem.</param>
    public EmbeddingQueueFullException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EmbeddingQueueFullException"/> class with a message and its cause.</summary>
    /// <param name="message">The message that describes the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public EmbeddingQueueFullException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
