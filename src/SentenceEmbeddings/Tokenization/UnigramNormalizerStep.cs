using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SentenceEmbeddings.Tokenization;

/// <summary>One normalizer of a <c>tokenizer.json</c> normalizer sequence, applied as HuggingFace <c>tokenizers</c> applies it.</summary>
/// <remarks>Supported: <c>Precompiled</c>, <c>Replace</c> (string or regex), <c>Strip</c> and the four Unicode forms. Immutable, so thread-safe.</remarks>
internal sealed class UnigramNormalizerStep
{
    private readonly PrecompiledCharsmap? _charsmap;
    private readonly Regex? _pattern;
    private readonly string? _literal;
    private readonly string _content = string.Empty;
    private readonly bool _stripLeft;
    private readonly bool _stripRight;
    private readonly NormalizationForm? _form;

    private UnigramNormalizerStep(
        PrecompiledCharsmap? charsmap = null,
        Regex? pattern = null,
        string? literal = null,
        string content = "",
        bool stripLeft = false,
        bool stripRight = false,
        NormalizationForm? form = null)
    {
        _charsmap = charsmap;
        _pattern = pattern;
        _literal = literal;
        _content = content;
        _stripLeft = stripLeft;
        _stripRight = stripRight;
        _form = form;
    }

    /// <summary>Creates a <c>Precompiled</c> step.</summary>
    /// <param name="charsmap">The model's charsmap.</param>
    /// <returns>The step.</returns>
    public static UnigramNormalizerStep Precompiled(PrecompiledCharsmap charsmap) => new(charsmap: charsmap);

    /// <summary>Creates a <c>Replace</c> step with a regular expression.</summary>
    /// <param name="pattern">The expression.</param>
    /// <param name="content">The replacement text.</param>
    /// <returns>The step.</returns>
    public static UnigramNormalizerStep ReplaceRegex(Regex pattern, string content) => new(pattern: pattern, content: content);

    /// <summary>Creates a <c>Replace</c> step with a literal string.</summary>
    /// <param name="literal">The string to replace; not empty.</param>
    /// <param name="content">The replacement text.</param>
    /// <returns>The step.</returns>
    public static UnigramNormalizerStep ReplaceString(string literal, string content) => new(literal: literal, content: content);

    /// <summary>Creates a <c>Strip</c> step, which removes Unicode whitespace (Rust's <c>char::is_whitespace</c>, .NET's <see cref="char.IsWhiteSpace(char)"/>).</summary>
    /// <param name="left">Whether leading whitespace goes.</param>
    /// <param name="right">Whether trailing whitespace goes.</param>
    /// <returns>The step.</returns>
    public static UnigramNormalizerStep Strip(bool left, bool right) => new(stripLeft: left, stripRight: right);

    /// <summary>Creates an <c>NFC</c>, <c>NFD</c>, <c>NFKC</c> or <c>NFKD</c> step.</summary>
    /// <param name="form">The form.</param>
    /// <returns>The step.</returns>
    public static UnigramNormalizerStep Unicode(NormalizationForm form) => new(form: form);

    /// <summary>Writes the normalized <paramref name="source"/> into <paramref name="target"/>, which must be empty.</summary>
    /// <param name="source">The text to normalize.</param>
    /// <param name="target">Receives the result.</param>
    public void Apply(AlignedText source, AlignedText target)
    {
        if (_charsmap is not null)
        {
            ApplyPrecompiled(_charsmap, source, target);
        }
        else if (_pattern is not null || _literal is not null)
        {
            ApplyReplace(source, target);
        }
        else if (_form is { } form)
        {
            ApplyUnicodeForm(form, source, target);
        }
        else
        {
            ApplyStrip(source, target);
        }
    }

    // spm_precompiled: a grapheme shorter than 6 UTF-8 bytes is looked up whole; otherwise, or when it is not in the map,
    // each of its characters is looked up alone and kept when absent.
    private static void ApplyPrecompiled(PrecompiledCharsmap charsmap, AlignedText source, AlignedText target)
    {
        ReadOnlySpan<char> chars = source.Chars;
        Span<byte> utf8 = stackalloc byte[8];
        int position = 0;
        while (position < chars.Length)
        {
            // An ASCII character followed by another (or by nothing) is a grapheme alone, except CR LF: one table lookup.
            char c = chars[position];
            if (char.IsAscii(c) && (position + 1 == chars.Length || (char.IsAscii(chars[position + 1]) && !(c == '\r' && chars[position + 1] == '\n'))))
            {
                if (charsmap.TryTransformAscii(c, out string? ascii))
                {
                    target.Append(ascii, source.StartOf(position), source.EndOf(position));
                }
                else
                {
                    target.AppendFrom(source, position);
                }

                position++;
                continue;
            }

            int length = StringInfo.GetNextTextElementLength(chars[position..]);
            ReadOnlySpan<char> grapheme = chars.Slice(position, length);
            int end = position + length;
            if (Encoding.UTF8.GetByteCount(grapheme) < 6)
            {
                int bytes = Encoding.UTF8.GetBytes(grapheme, utf8);
                if (charsmap.TryTransform(utf8[..bytes], out string replacement))
                {
                    target.Append(replacement, source.StartOf(position), source.EndOf(end - 1));
                    position = end;
                    continue;
                }
            }

            while (position < end)
            {
                int width = char.IsHighSurrogate(chars[position]) && position + 1 < end ? 2 : 1;
                int bytes = Encoding.UTF8.GetBytes(chars.Slice(position, width), utf8);
                if (charsmap.TryTransform(utf8[..bytes], out string replacement))
                {
                    target.Append(replacement, source.StartOf(position), source.EndOf(position + width - 1));
                }
                else
                {
                    target.AppendFrom(source, position);
                    if (width == 2)
                    {
                        target.AppendFrom(source, position + 1);
                    }
                }

                position += width;
            }
        }
    }

    private void ApplyReplace(AlignedText source, AlignedText target)
    {
        ReadOnlySpan<char> chars = source.Chars;
        int copied = 0;
        if (_pattern is not null)
        {
            foreach (ValueMatch match in _pattern.EnumerateMatches(chars))
            {
                copied = ReplaceAt(source, target, copied, match.Index, match.Length);
            }
        }
        else
        {
            string literal = _literal!;
            int found;
            while ((found = chars[copied..].IndexOf(literal, StringComparison.Ordinal)) >= 0)
            {
                copied = ReplaceAt(source, target, copied, copied + found, literal.Length);
            }
        }

        for (int i = copied; i < chars.Length; i++)
        {
            target.AppendFrom(source, i);
        }
    }

    private int ReplaceAt(AlignedText source, AlignedText target, int copied, int index, int length)
    {
        for (int i = copied; i < index; i++)
        {
            target.AppendFrom(source, i);
        }

        if (length == 0)
        {
            return index;
        }

        target.Append(_content, source.StartOf(index), source.EndOf(index + length - 1));
        return index + length;
    }

    private static void ApplyUnicodeForm(NormalizationForm form, AlignedText source, AlignedText target)
    {
        // Per grapheme, so that every output unit keeps the range of the grapheme it came from.
        ReadOnlySpan<char> chars = source.Chars;
        int position = 0;
        while (position < chars.Length)
        {
            int length = StringInfo.GetNextTextElementLength(chars[position..]);
            ReadOnlySpan<char> grapheme = chars.Slice(position, length);
            if (grapheme.IsNormalized(form))
            {
                for (int i = position; i < position + length; i++)
                {
                    target.AppendFrom(source, i);
                }
            }
            else
            {
                target.Append(grapheme.ToString().Normalize(form), source.StartOf(position), source.EndOf(position + length - 1));
            }

            position += length;
        }
    }

    private void ApplyStrip(AlignedText source, AlignedText target)
    {
        ReadOnlySpan<char> chars = source.Chars;
        int start = 0;
        int end = chars.Length;
        while (_stripLeft && start < end && char.IsWhiteSpace(chars[start]))
        {
            start++;
        }

        while (_stripRight && end > start && char.IsWhiteSpace(chars[end - 1]))
        {
            end--;
        }

        for (int i = start; i < end; i++)
        {
            target.AppendFrom(source, i);
        }
    }
}
