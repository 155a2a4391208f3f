namespace SentenceEmbeddings;

/// <summary>What a generator does with a text that has more tokens than the model's maximum sequence length.</summary>
public enum LongTextMode
{
    /// <summary>Keep the first tokens and drop the rest, exactly as sentence-transformers does; the embedding is flagged <c>truncated</c>.</summary>
    Truncate,

    /// <summary>Embed the text in overlapping windows cut between words and return the token-weighted mean of the window vectors (L2-normalised again when the model normalises).</summary>
    Chunk,

    /// <summary>Throw <see cref="TextTooLongException"/> before any model run.</summary>
    Error,
}
