namespace SentenceEmbeddings;

/// <summary>What a call does when the generator's queue of texts is full.</summary>
public enum QueueFullMode
{
    /// <summary>Wait until there is room (or the call is cancelled).</summary>
    Wait,

    /// <summary>Fail at once with an <see cref="EmbeddingQueueFullException"/>.</summary>
    Fail,
}
