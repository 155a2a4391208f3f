namespace SentenceEmbeddings.Tokenization;

/// <summary>The character properties that BERT normalization and pre-tokenization look at, as HuggingFace's old Unicode tables give them.</summary>
[Flags]
internal enum LegacyUnicodeFlags : byte
{
    /// <summary>None of the flags below: an ordinary character.</summary>
    None = 0,

    /// <summary>Unicode 8.0.0 general category Cc, Cf or Co: what clean_text deletes.</summary>
    Other = 1,

    /// <summary>The White_Space property, as Rust's <c>char::is_whitespace</c> tests it.</summary>
    Whitespace = 2,

    /// <summary>Unicode 8.0.0 general category Mn: what strip_accents deletes after NFD.</summary>
    NonspacingMark = 4,

    /// <summary>Unicode 9.0.0 general category Mn, Mc or Me: a character that NFD may reorder, so it is decomposed together with the character before it.</summary>
    Mark = 8,

    /// <summary>Unicode 8.0.0 general category Pc, Pd, Pe, Pf, Pi, Po or Ps: what the pre-tokenizer splits off (besides ASCII punctuation).</summary>
    Punctuation = 16,

    /// <summary>Not assigned in Unicode 9.0.0, so HuggingFace's NFD leaves it alone even where .NET would decompose or reorder it.</summary>
    Unassigned = 32,

    /// <summary>A UTF-16 surrogate code point, never a character on its own.</summary>
    Surrogate = 64,
}
