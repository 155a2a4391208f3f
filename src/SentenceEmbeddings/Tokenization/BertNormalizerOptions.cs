namespace SentenceEmbeddings.Tokenization;

/// <summary>The settings of HuggingFace's BertNormalizer, with <c>strip_accents</c> already resolved.</summary>
/// <param name="CleanText">Whether control characters are deleted and whitespace becomes a plain space.</param>
/// <param name="HandleChineseChars">Whether each CJK ideograph is surrounded by spaces, making it a word of its own.</param>
/// <param name="StripAccents">Whether the text is decomposed (NFD) and its non-spacing marks deleted.</param>
/// <param name="Lowercase">Whether each character is lower-cased.</param>
internal readonly record struct BertNormalizerOptions(bool CleanText, bool HandleChineseChars, bool StripAccents, bool Lowercase)
{

    /// <summary>Creates the settings the way HuggingFace reads them, where a missing <c>strip_accents</c> follows <c>lowercase</c>.</summary>
    /// <param name="cleanText">The <c>clean_text</c> setting.</param>
    /// <param name="handleChineseChars">The <c>handle_chinese_chars</c> (or <c>tokenize_chinese_chars</c>) setting.</param>
    /// <param name="stripAccents">The <c>strip_accents</c> setting, <see langword="null"/> when it is null or absent.</param>
    /// <param name="lowercase">The <c>lowercase</c> (or <c>do_lower_case</c>) setting.</param>
    /// <returns>The resolved settings.</returns>
    public static BertNormalizerOptions Create(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase) =>
        new(cleanText, handleChineseChars, stripAccents ?? lowercase, lowercase);
}
