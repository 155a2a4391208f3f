using System.Numerics;

namespace SentenceEmbeddings.Scoring;

/// <summary>Sign-bit codes (bit i set when component i is positive, as sentence-transformers' binary quantization) and their Hamming scores.</summary>
internal static class BinaryCodec
{
    /// <summary>The number of 64-bit words a vector of <paramref name="dimensions"/> needs.</summary>
    public static int WordCount(int dimensions) => (dimensions + 63) / 64;

    /// <summary>Encodes a vector's signs.</summary>
    public static void Encode(ReadOnlySpan<float> vector, Span<ulong> bits)
    {
        bits.Clear();
        for (int i = 0; i < vector.Length; i++)
        {
            if (vector[i] > 0)
            {
                bits[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    /// <summary>The number of differing bits.</summary>
    public static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int distance = 0;
        for (int i = 0; i < a.Length; i++)
        {
            distance += BitOperations.PopCount(a[i] ^ b[i]);
        }

        return distance;
    }

    /// <summary>Turns a Hamming distance into a score in [-1, 1] (the cosine of the two sign vectors for even dimensions).</summary>
    public static float Score(int hamming, int dimensions) => 1f - (2f * hamming / dimensions);
}
