using System.Text;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Answers whether a single code point is unchanged by NFD, so that most characters skip the normalizer.</summary>
internal static class CanonicalDecomposition
{
    private const byte Unknown = 0;
    private const byte Unchanged = 1;
    private const byte Decomposes = 2;

    // Filled lazily per BMP character; concurrent writers store the same value, so the race is benign.
    private static readonly byte[] BmpState = new byte[0x10000];

    /// <summary>Gets a value indicating whether NFD leaves the code point as it is.</summary>
    /// <param name="codePoint">A code point assigned in Unicode 9.0.0 (others have no decomposition in HuggingFace's tables).</param>
    /// <returns><see langword="true"/> when the code point has no canonical decomposition.</returns>
    public static bool IsUnchanged(int codePoint)
    {
        // Nothing below U+00C0 decomposes.
        if (codePoint < 0xC0)
        {
            return true;
        }

        if (codePoint < 0x10000)
        {
            byte state = BmpState[codePoint];
            if (state == Unknown)
            {
                state = ComputeBmp((char)codePoint);
                BmpState[codePoint] = state;
            }

            return state == Unchanged;
        }

        // Outside the BMP, Unicode 9.0.0 decomposes only in these blocks (Brahmi to Takri, musical symbols, CJK
        // compatibility ideographs supplement); the tests check this against .NET's normalizer.
        return codePoint is not ((>= 0x11000 and <= 0x11FFF) or (>= 0x1D100 and <= 0x1D1FF) or (>= 0x2F800 and <= 0x2FA1F));
    }

    private static byte ComputeBmp(char character)
    {
        ReadOnlySpan<char> text = [character];
        return char.IsSurrogate(character) || text.IsNormalized(NormalizationForm.FormD) ? Unchanged : Decomposes;
    }
}
