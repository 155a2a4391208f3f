namespace SentenceEmbeddings.Tokenization;

/// <summary>What BERT normalization and pre-tokenization do with an ASCII character, precomputed per tokenizer for the fast path.</summary>
internal enum AsciiKind : byte
{
    /// <summary>Part of a word.</summary>
    Word,

    /// <summary>Ends a word and is dropped.</summary>
    Whitespace,

    /// <summary>A word of its own.</summary>
    Punctuation,

    /// <summary>Deleted by clean_text, so the characters on either side join.</summary>
    Deleted,
}
