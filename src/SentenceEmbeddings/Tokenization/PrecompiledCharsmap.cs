using System.Buffers.Binary;
using System.Text;

namespace SentenceEmbeddings.Tokenization;

/// <summary>SentencePiece's precompiled normalization map (a double-array trie over UTF-8 bytes and the strings it maps to), looked up the way HuggingFace's <c>Precompiled</c> normalizer does.</summary>
/// <remarks>
/// HuggingFace (crate <c>spm_precompiled</c>) takes the <em>shortest</em> prefix the trie matches, where SentencePiece takes
/// the longest; <see cref="UnigramNormalizer"/> applies it per grapheme as HuggingFace does. Immutable, so thread-safe.
/// </remarks>
internal sealed class PrecompiledCharsmap
{
    private readonly uint[] _units;
    private readonly byte[] _normalized;

    // The replacement strings decoded once, by their offset in the normalized blob.
    private readonly Dictionary<int, string> _replacements = [];

    // What each ASCII character alone maps to, or null when the trie has no prefix of it.
    private readonly string?[] _ascii = new string?[128];

    private PrecompiledCharsmap(uint[] units, byte[] normalized)
    {
        _units = units;
        _normalized = normalized;
        for (int start = 0; start < normalized.Length; start++)
        {
            int end = Array.IndexOf(normalized, (byte)0, start);
            end = end < 0 ? normalized.Length : end;
            _replacements[start] = Encoding.UTF8.GetString(normalized, start, end - start);
            start = end;
        }

        Span<byte> one = stackalloc byte[1];
        for (int c = 0; c < _ascii.Length; c++)
        {
            one[0] = (byte)c;
            _ascii[c] = TryTransform(one, out string replacement) ? replacement : null;
        }
    }

    /// <summary>Looks up one ASCII character alone, as <see cref="TryTransform"/> would.</summary>
    /// <param name="c">The character, below U+0080.</param>
    /// <param name="replacement">Receives what it maps to.</param>
    /// <returns><see langword="true"/> when the trie maps it.</returns>
    public bool TryTransformAscii(char c, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? replacement)
    {
        replacement = _ascii[c];
        return replacement is not null;
    }

    /// <summary>Reads the binary charsmap: a little-endian trie size in bytes, the trie's 32-bit units, then NUL-terminated UTF-8 strings.</summary>
    /// <param name="blob">The charsmap bytes.</param>
    /// <returns>The map, or <see langword="null"/> when the bytes are not a well-formed charsmap.</returns>
    public static PrecompiledCharsmap? TryCreate(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }

        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > blob.Length - 4)
        {
            return null;
        }

        var units = new uint[trieBytes / 4];
        for (int i = 0; i < units.Length; i++)
        {
            units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + (4 * i))..]);
        }

        return new PrecompiledCharsmap(units, blob[(4 + (int)trieBytes)..].ToArray());
    }

    /// <summary>Looks up the shortest prefix of <paramref name="utf8"/> that the trie maps, as <c>spm_precompiled</c>'s <c>transform</c> does.</summary>
    /// <param name="utf8">The UTF-8 bytes of a grapheme or of one character.</param>
    /// <param name="replacement">Receives the string the prefix maps to (possibly empty: the text is deleted).</param>
    /// <returns><see langword="true"/> when some prefix is in the trie.</returns>
    public bool TryTransform(ReadOnlySpan<byte> utf8, out string replacement)
    {
        uint[] units = _units;
        long position = Offset(units[0]);
        foreach (byte c in utf8)
        {
            if (c == 0)
            {
                break;
            }

            position ^= c;
            if ((ulong)position >= (ulong)units.Length)
            {
                break;
            }

            uint unit = units[position];
            if (Label(unit) != c)
            {
                break;
            }

            position ^= Offset(unit);
            if (HasLeaf(unit) && (ulong)position < (ulong)units.Length)
            {
                int index = (int)Value(units[position]);
                replacement = _replacements.TryGetValue(index, out string? cached) ? cached : Decode(index);
                return true;
            }
        }

        replacement = string.Empty;
        return false;
    }

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Value(uint unit) => unit & ((1u << 31) - 1);

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);

    private static long Offset(uint unit) => (long)(unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    private string Decode(int index)
    {
        if (index >= _normalized.Length)
        {
            return string.Empty;
        }

        int end = Array.IndexOf(_normalized, (byte)0, index);
        return Encoding.UTF8.GetString(_normalized, index, (end < 0 ? _normalized.Length : end) - index);
    }
}
