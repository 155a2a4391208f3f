using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SentenceEmbeddings.Scoring;

/// <summary>Dot products of float queries with float rows: one query at a time (bound by memory bandwidth), or many queries against a block of rows held in cache (bound by arithmetic, like a matrix product).</summary>
/// <remarks>Every path computes a score the same way (one FMA chain per lane of the widest vector, then the lanes summed in
/// halves: <see cref="LaneSum"/>), so a row's score is bit-identical whichever path computed it: equal rows tie exactly, and
/// a batch search equals single ones.</remarks>
internal static class FloatKernels
{
    /// <summary>Scores each row of <paramref name="rows"/> against one query.</summary>
    public static void Score(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> scores)
    {
        int width = query.Length;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && width % Vector512<float>.Count == 0)
        {
            // 4 rows at once: four independent FMA chains and one query load per step, instead of one call per row.
            for (; i + 4 <= scores.Length; i += 4)
            {
                Block4x1(query, rows, i, scores);
            }
        }

        for (; i < scores.Length; i++)
        {
            scores[i] = Dot(query, rows.Slice(i * width, width));
        }
    }

    /// <summary>The dot product of one query and one row, computed as every other path here computes it.</summary>
    public static float Dot(ReadOnlySpan<float> query, ReadOnlySpan<float> row)
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float x = ref MemoryMarshal.GetReference(row);
        nuint w = (nuint)query.Length;
        if (Vector512.IsHardwareAccelerated && query.Length % Vector512<float>.Count == 0)
        {
            Vector512<float> a = default;
            for (nuint i = 0; i < w; i += (nuint)Vector512<float>.Count)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref q, i), a);
            }

            return LaneSum(a);
        }

        if (Vector.IsHardwareAccelerated && query.Length % Vector<float>.Count == 0)
        {
            Vector<float> a = default;
            for (nuint i = 0; i < w; i += (nuint)Vector<float>.Count)
            {
                a = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, i), Vector.LoadUnsafe(ref q, i), a);
            }

            return Vector.Sum(a);
        }

        return TensorPrimitives.Dot(query, row);
    }

    /// <summary>Scores a block of rows against many queries: <c>scores[q * rowCount + r]</c>.</summary>
    /// <param name="queries">The queries, one after another.</param>
    /// <param name="queryCount">The number of queries.</param>
    /// <param name="rows">The rows, one after another.</param>
    /// <param name="rowCount">The number of rows.</param>
    /// <param name="scores">Receives the scores.</param>
    public static void ScoreMany(ReadOnlySpan<float> queries, int queryCount, ReadOnlySpan<float> rows, int rowCount, Span<float> scores)
    {
        int width = queries.Length / queryCount;
        int q = 0;
        int r = 0;
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated && width % Vector512<float>.Count == 0)
        {
            // 4 rows x 4 queries: 16 accumulators and 8 loads stay in the 32 zmm registers.
            for (; q + 4 <= queryCount; q += 4)
            {
                for (r = 0; r + 4 <= rowCount; r += 4)
                {
                    Block4x4(queries, q, rows, r, width, scores, rowCount);
                }

                ScoreRest(queries, q, q + 4, rows, r, rowCount, width, scores);
            }
        }
        else if (Vector.IsHardwareAccelerated && width % Vector<float>.Count == 0)
        {
            // 2 rows x 4 queries: 8 accumulators and 6 loads fit the 16 registers of AVX2 or Arm NEON.
            for (; q + 4 <= queryCount; q += 4)
            {
                for (r = 0; r + 2 <= rowCount; r += 2)
                {
                    Block2x4(queries, q, rows, r, width, scores, rowCount);
                }

                ScoreRest(queries, q, q + 4, rows, r, rowCount, width, scores);
            }
        }

        ScoreRest(queries, q, queryCount, rows, 0, rowCount, width, scores);
    }

    private static void ScoreRest(ReadOnlySpan<float> queries, int firstQuery, int endQuery, ReadOnlySpan<float> rows, int firstRow, int rowCount, int width, Span<float> scores)
    {
        for (int q = firstQuery; q < endQuery; q++)
        {
            ReadOnlySpan<float> query = queries.Slice(q * width, width);
            for (int r = firstRow; r < rowCount; r++)
            {
                scores[(q * rowCount) + r] = Dot(query, rows.Slice(r * width, width));
            }
        }
    }

    /// <summary>The sum of a vector's lanes in a fixed order: halves added (lane i + lane i+8), then quarters, then pairs.</summary>
    internal static float LaneSum(Vector512<float> a)
    {
        Vector256<float> s8 = a.GetLower() + a.GetUpper();
        Vector128<float> s4 = s8.GetLower() + s8.GetUpper();
        return (s4.GetElement(0) + s4.GetElement(2)) + (s4.GetElement(1) + s4.GetElement(3));
    }

    /// <summary>The <see cref="LaneSum"/> of sixteen vectors at once: lane <c>4c + k</c> holds the sum of vector <c>c + 4k</c>, added in the same order.</summary>
    internal static Vector512<float> LaneSums(
        Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7,
        Vector512<float> v8, Vector512<float> v9, Vector512<float> v10, Vector512<float> v11,
        Vector512<float> v12, Vector512<float> v13, Vector512<float> v14, Vector512<float> v15)
    {
        // Halves: [a.lo + a.hi | b.lo + b.hi] for each pair.
        Vector512<float> h0 = Halves(v0, v1), h1 = Halves(v2, v3), h2 = Halves(v4, v5), h3 = Halves(v6, v7);
        Vector512<float> h4 = Halves(v8, v9), h5 = Halves(v10, v11), h6 = Halves(v12, v13), h7 = Halves(v14, v15);

        // Quarters: 128-bit block c of quarter m holds vector 4m + c, its lanes i + i+4.
        Vector512<float> q0 = Quarters(h0, h1), q1 = Quarters(h2, h3), q2 = Quarters(h4, h5), q3 = Quarters(h6, h7);

        // Pairs (lanes i + i+2, then the two left) within each 128-bit block.
        Vector512<float> p0 = Avx512F.Shuffle(q0, q1, 0x44) + Avx512F.Shuffle(q0, q1, 0xEE);
        Vector512<float> p1 = Avx512F.Shuffle(q2, q3, 0x44) + Avx512F.Shuffle(q2, q3, 0xEE);
        return Avx512F.Shuffle(p0, p1, 0x88) + Avx512F.Shuffle(p0, p1, 0xDD);

        static Vector512<float> Halves(Vector512<float> a, Vector512<float> b) =>
            Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);

        static Vector512<float> Quarters(Vector512<float> a, Vector512<float> b) =>
            Avx512F.Shuffle4x128(a, b, 0x88) + Avx512F.Shuffle4x128(a, b, 0xDD);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x1(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int r, Span<float> scores)
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float rs = ref MemoryMarshal.GetReference(rows);
        nuint w = (nuint)query.Length;
        nuint r0 = (nuint)r * w, r1 = r0 + w, r2 = r1 + w, r3 = r2 + w;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint i = 0; i < w; i += (nuint)Vector512<float>.Count)
        {
            Vector512<float> y = Vector512.LoadUnsafe(ref q, i);
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rs, r0 + i), y, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rs, r1 + i), y, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rs, r2 + i), y, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rs, r3 + i), y, a3);
        }

        scores[r] = LaneSum(a0);
        scores[r + 1] = LaneSum(a1);
        scores[r + 2] = LaneSum(a2);
        scores[r + 3] = LaneSum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x4(ReadOnlySpan<float> queries, int q, ReadOnlySpan<float> rows, int r, int width, Span<float> scores, int rowCount)
    {
        ref float qs = ref MemoryMarshal.GetReference(queries);
        ref float rs = ref MemoryMarshal.GetReference(rows);
        nuint w = (nuint)width;
        nuint q0 = (nuint)q * w, q1 = q0 + w, q2 = q1 + w, q3 = q2 + w;
        nuint r0 = (nuint)r * w, r1 = r0 + w, r2 = r1 + w, r3 = r2 + w;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (nuint i = 0; i < w; i += (nuint)Vector512<float>.Count)
        {
            Vector512<float> x0 = Vector512.LoadUnsafe(ref rs, r0 + i);
            Vector512<float> x1 = Vector512.LoadUnsafe(ref rs, r1 + i);
            Vector512<float> x2 = Vector512.LoadUnsafe(ref rs, r2 + i);
            Vector512<float> x3 = Vector512.LoadUnsafe(ref rs, r3 + i);
            Vector512<float> y = Vector512.LoadUnsafe(ref qs, q0 + i);
            a00 = Vector512.FusedMultiplyAdd(x0, y, a00);
            a10 = Vector512.FusedMultiplyAdd(x1, y, a10);
            a20 = Vector512.FusedMultiplyAdd(x2, y, a20);
            a30 = Vector512.FusedMultiplyAdd(x3, y, a30);
            y = Vector512.LoadUnsafe(ref qs, q1 + i);
            a01 = Vector512.FusedMultiplyAdd(x0, y, a01);
            a11 = Vector512.FusedMultiplyAdd(x1, y, a11);
            a21 = Vector512.FusedMultiplyAdd(x2, y, a21);
            a31 = Vector512.FusedMultiplyAdd(x3, y, a31);
            y = Vector512.LoadUnsafe(ref qs, q2 + i);
            a02 = Vector512.FusedMultiplyAdd(x0, y, a02);
            a12 = Vector512.FusedMultiplyAdd(x1, y, a12);
            a22 = Vector512.FusedMultiplyAdd(x2, y, a22);
            a32 = Vector512.FusedMultiplyAdd(x3, y, a32);
            y = Vector512.LoadUnsafe(ref qs, q3 + i);
            a03 = Vector512.FusedMultiplyAdd(x0, y, a03);
            a13 = Vector512.FusedMultiplyAdd(x1, y, a13);
            a23 = Vector512.FusedMultiplyAdd(x2, y, a23);
            a33 = Vector512.FusedMultiplyAdd(x3, y, a33);
        }

        // Sixteen lane sums in 45 instructions; sixteen separate reductions take about 130 beside the block's 384 FMAs.
        // accumulator q + 4r lands in lane 4q + r, so each query's four scores are one 128-bit store.
        Vector512<float> sums = LaneSums(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
        ref float output = ref MemoryMarshal.GetReference(scores);
        nuint s0 = (nuint)((q * rowCount) + r);
        sums.GetLower().GetLower().StoreUnsafe(ref output, s0);
        sums.GetLower().GetUpper().StoreUnsafe(ref output, s0 + (nuint)rowCount);
        sums.GetUpper().GetLower().StoreUnsafe(ref output, s0 + (nuint)(2 * rowCount));
        sums.GetUpper().GetUpper().StoreUnsafe(ref output, s0 + (nuint)(3 * rowCount));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block2x4(ReadOnlySpan<float> queries, int q, ReadOnlySpan<float> rows, int r, int width, Span<float> scores, int rowCount)
    {
        ref float qs = ref MemoryMarshal.GetReference(queries);
        ref float rs = ref MemoryMarshal.GetReference(rows);
        nuint w = (nuint)width;
        nuint r0 = (nuint)r * w, r1 = r0 + w;
        nuint q0 = (nuint)q * w;
        Vector<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector<float> a10 = default, a11 = default, a12 = default, a13 = default;
        for (nuint i = 0; i < w; i += (nuint)Vector<float>.Count)
        {
            Vector<float> x0 = Vector.LoadUnsafe(ref rs, r0 + i);
            Vector<float> x1 = Vector.LoadUnsafe(ref rs, r1 + i);
            Vector<float> y0 = Vector.LoadUnsafe(ref qs, q0 + i);
            Vector<float> y1 = Vector.LoadUnsafe(ref qs, q0 + w + i);
            Vector<float> y2 = Vector.LoadUnsafe(ref qs, q0 + (2 * w) + i);
            Vector<float> y3 = Vector.LoadUnsafe(ref qs, q0 + (3 * w) + i);
            a00 = Vector.FusedMultiplyAdd(x0, y0, a00);
            a01 = Vector.FusedMultiplyAdd(x0, y1, a01);
            a02 = Vector.FusedMultiplyAdd(x0, y2, a02);
            a03 = Vector.FusedMultiplyAdd(x0, y3, a03);
            a10 = Vector.FusedMultiplyAdd(x1, y0, a10);
            a11 = Vector.FusedMultiplyAdd(x1, y1, a11);
            a12 = Vector.FusedMultiplyAdd(x1, y2, a12);
            a13 = Vector.FusedMultiplyAdd(x1, y3, a13);
        }

        int s = (q * rowCount) + r;
        scores[s] = Vector.Sum(a00); scores[s + 1] = Vector.Sum(a10);
        s += rowCount;
        scores[s] = Vector.Sum(a01); scores[s + 1] = Vector.Sum(a11);
        s += rowCount;
        scores[s] = Vector.Sum(a02); scores[s + 1] = Vector.Sum(a12);
        s += rowCount;
        scores[s] = Vector.Sum(a03); scores[s + 1] = Vector.Sum(a13);
    }
}
