namespace SentenceEmbeddings.Batching;

/// <summary>One text of a request, waiting in the batch queue.</summary>
/// <param name="Request">The call the text belongs to.</param>
/// <param name="Index">The text's index in the call.</param>
internal readonly record struct PendingText(EmbeddingRequest Request, int Index)
{
    /// <summary>Gets the text's token count.</summary>
    public int Length => Request.Lengths[Index];
}
