namespace SentenceEmbeddings;

/// <summary>The vector of one chunk of a document's text and the range of the text it covers.</summary>
public sealed class ChunkVector
{
    /// <summary>Gets where the chunk starts in the document's text (UTF-16 index, inclusive).</summary>
    public required int Start { get; init; }

    /// <summary>Gets where the chunk ends in the document's text (UTF-16 index, exclusive).</summary>
    public required int End { get; init; }

    /// <summary>Gets the chunk's embedding.</summary>
    public required ReadOnlyMemory<float> Vector { get; init; }
}
