namespace SentenceEmbeddings;

/// <summary>One window of a long text as the model embedded it: where it is in the text, how many tokens it had, and its vector.</summary>
public sealed class TextChunk
{
    /// <summary>Gets the UTF-16 index of the chunk's first character in the text the caller passed.</summary>
    public required int Start { get; init; }

    /// <summary>Gets the UTF-16 index just past the chunk's last character, so the chunk is <c>text[Start..End]</c>.</summary>
    public required int End { get; init; }

    /// <summary>Gets the number of tokens the model ran for this chunk, special tokens and the prompt included.</summary>
    public required int TokenCount { get; init; }

    /// <summary>Gets the chunk's vector: the vector <c>text[Start..End]</c> gets on its own.</summary>
    public required ReadOnlyMemory<float> Vector { get; init; }
}
