using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SentenceEmbeddings.Scoring;

/// <summary>Sign-bit codes (bit i set when component i is positive, as sentence-transformers' binary quantization) and their Hamming scores.</summary>
internal static class BinaryCodec
{
    /// <summary>The widest code (in 64-bit words) the AVX-512 kernel takes: eight rows' counts must fit one 64-byte vector.</summary>
    private const int MaxVectorWords = 8;

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

    /// <summary>Scores each code of <paramref name="rows"/> (one after another) against one query code, as <see cref="Score(int, int)"/> of their Hamming distance.</summary>
    public static void Score(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<float> scores, int dimensions)
    {
        int words = query.Length;
        int i = 0;
        if (Avx512Vbmi.IsSupported && Avx512DQ.IsSupported && words <= MaxVectorWords)
        {
            i = ScoreEightRowsAtATime(query, rows, scores, dimensions);
        }

        for (; i < scores.Length; i++)
        {
            scores[i] = Score(Hamming(query, rows.Slice(i * words, words)), dimensions);
        }
    }

    /// <summary>Scores groups of eight rows with AVX-512 (.NET 10 has no VPOPCNTQ, so bytes are counted with a nibble table); returns the rows done.</summary>
    /// <remarks>
    /// Eight rows of w words are w vectors of eight words. Each is XORed with the query repeated in the same phase, its bytes
    /// counted (two table lookups) and summed per word (VPSADBW); word k's counts go to byte k of each lane, a byte permute
    /// (VPERMB) gathers each row's w counts into one lane and a second VPSADBW adds them. On this machine 1.5 × the speed
    /// of POPCNT per word (2.0 instead of 3.0 ms for 1M codes of 384 bits, one thread).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScoreEightRowsAtATime(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<float> scores, int dimensions)
    {
        int words = query.Length;
        Span<ulong> lane = stackalloc ulong[Vector512<ulong>.Count];
        Span<Vector512<ulong>> phases = stackalloc Vector512<ulong>[MaxVectorWords];
        for (int k = 0; k < words; k++)
        {
            for (int l = 0; l < lane.Length; l++)
            {
                lane[l] = query[((8 * k) + l) % words];
            }

            phases[k] = Vector512.Create<ulong>(lane);
        }

        // Output byte 8r + i is the count of word p = w r + i, which lies at byte (p % 8) * 8 + p / 8 of the packed
        // counts; bytes past a row's w words read byte 63, which is zero whenever w < 8.
        Span<byte> gather = stackalloc byte[Vector512<byte>.Count];
        for (int r = 0; r < 8; r++)
        {
            for (int i = 0; i < 8; i++)
            {
                int p = (words * r) + i;
                gather[(8 * r) + i] = (byte)(i < words ? ((p % 8) * 8) + (p / 8) : 63);
            }
        }

        Vector512<byte> gatherIndex = Vector512.Create<byte>(gather);
        Vector512<byte> nibbleCounts = Vector512.Create(
            (byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
            0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
        Vector512<byte> lowNibble = Vector512.Create((byte)0x0F);
        Vector256<float> two = Vector256.Create(2f);
        Vector256<float> dims = Vector256.Create((float)dimensions);
        ref ulong first = ref MemoryMarshal.GetReference(rows);
        ref float output = ref MemoryMarshal.GetReference(scores);
        int n = scores.Length & ~7;
        for (int g = 0; g < n; g += 8)
        {
            ref ulong group = ref Unsafe.Add(ref first, g * words);
            Vector512<ulong> packed = default;
            for (int k = 0; k < words; k++)
            {
                Vector512<byte> x = (Vector512.LoadUnsafe(ref group, (nuint)(8 * k)) ^ phases[k]).AsByte();
                Vector512<byte> high = Avx512BW.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & lowNibble;
                Vector512<byte> counts = Avx512BW.Shuffle(nibbleCounts, x & lowNibble) + Avx512BW.Shuffle(nibbleCounts, high);
                packed |= Avx512BW.SumAbsoluteDifferences(counts, Vector512<byte>.Zero).AsUInt64() << (8 * k);
            }

            Vector512<byte> perRow = Avx512Vbmi.PermuteVar64x8(packed.AsByte(), gatherIndex);
            Vector512<long> hamming = Avx512BW.SumAbsoluteDifferences(perRow, Vector512<byte>.Zero).AsInt64();

            // The same float operations as Score(int, int), so both paths give bit-identical scores.
            Vector256<float> score = Vector256<float>.One - (two * Avx512DQ.ConvertToVector256Single(hamming) / dims);
            score.StoreUnsafe(ref output, (nuint)g);
        }

        return n;
    }
}
