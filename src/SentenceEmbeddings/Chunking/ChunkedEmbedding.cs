namespace SentenceEmbeddings;

/// <summary>The embedding of one text in chunk mode: the pooled vector and the vectors of its chunks.</summary>
public sealed class ChunkedEmbedding
{
    /// <summary>Gets the text's vector: the token-weighted mean of its chunk vectors, L2-normalised again when the model normalises; a text that fits the window has exactly its one chunk's vector.</summary>
    public required ReadOnlyMemory<float> Vector { get; init; }

    /// <summary>Gets the text's chunks in text order.</summary>
    public required IReadOnlyList<TextChunk> Chunks { get; init; }

    /// <summary>Gets the number of tokens run for the text: the sum of its chunks' token counts.</summary>
    public required int TokenCount { get; init; }

    /// <summary>Gets a value indicating whether part of the text was dropped (the text needed more than the maximum number of chunks).</summary>
    public required bool Truncated { get; init; }
}
