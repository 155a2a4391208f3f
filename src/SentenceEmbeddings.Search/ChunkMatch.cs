namespace SentenceEmbeddings;

/// <summary>One result of a <see cref="ChunkIndex"/> search: a document, scored by its best chunk.</summary>
public sealed class ChunkMatch
{
    /// <summary>Gets the document's key.</summary>
    public required string Key { get; init; }

    /// <summary>Gets the best chunk's cosine similarity to the query (approximate for compact vectors without rescoring).</summary>
    public required float Score { get; init; }

    /// <summary>Gets where the best chunk starts in the document's text (UTF-16 index, inclusive).</summary>
    public required int Start { get; init; }

    /// <summary>Gets where the best chunk ends in the document's text (UTF-16 index, exclusive).</summary>
    public required int End { get; init; }
}
