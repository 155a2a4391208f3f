namespace SentenceEmbeddings.Tokenization;

/// <summary>Python's <c>str.strip()</c>, which sentence-transformers applies to every text before its tokenizer sees it.</summary>
/// <remarks>
/// Python's whitespace (<c>str.isspace</c>: bidirectional class WS, B or S, or category Zs) is not .NET's
/// <see cref="char.IsWhiteSpace(char)"/>: it adds U+001C–U+001F and both lack U+200B and U+FEFF.
/// </remarks>
internal static class PythonWhitespace
{
    /// <summary>Gets whether a UTF-16 unit is whitespace for Python's <c>str.isspace</c>; no such character lies outside the BMP.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for U+0009–U+000D, U+001C–U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.</returns>
    public static bool IsWhiteSpace(char c) => c switch
    {
        >= '\t' and <= '\r' => true,
        >= '\u001C' and <= ' ' => true,
        '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary>Removes leading and trailing Python whitespace.</summary>
    /// <param name="text">The text.</param>
    /// <param name="start">Receives the index in <paramref name="text"/> where the stripped text starts.</param>
    /// <returns>The stripped text, a slice of <paramref name="text"/>.</returns>
    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> text, out int start)
    {
        start = 0;
        int end = text.Length;
        while (start < end && IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }
}
