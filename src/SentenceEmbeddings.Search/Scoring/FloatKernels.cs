using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SentenceEmbeddings.Scoring;

/// <summary>Dot products of float queries with float rows: one query at a time (bound by memory bandwidth), or many queries against a block of rows held in cache (bound by arithmetic, like a matrix product).</summary>
/// <remarks>Every path computes a score the same way (one FMA chain per lane of the widest vector, then a lane sum), so a
/// row's score is bit-identical whichever path computed it: equal rows tie exactly, and a batch search equals single ones.</remarks>
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

            return Vector512.Sum(a);
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
        if (Vector512.IsHardwareAccelerated && width % Vector512<float>.Count == 0)
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

        scores[r] = Vector512.Sum(a0);
        scores[r + 1] = Vector512.Sum(a1);
        scores[r + 2] = Vector512.Sum(a2);
        scores[r + 3] = Vector512.Sum(a3);
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

        int s0 = (q * rowCount) + r, s1 = s0 + rowCount, s2 = s1 + rowCount, s3 = s2 + rowCount;
        scores[s0] = Vector512.Sum(a00); scores[s0 + 1] = Vector512.Sum(a10); scores[s0 + 2] = Vector512.Sum(a20); scores[s0 + 3] = Vector512.Sum(a30);
        scores[s1] = Vector512.Sum(a01); scores[s1 + 1] = Vector512.Sum(a11); scores[s1 + 2] = Vector512.Sum(a21); scores[s1 + 3] = Vector512.Sum(a31);
        scores[s2] = Vector512.Sum(a02); scores[s2 + 1] = Vector512.Sum(a12); scores[s2 + 2] = Vector512.Sum(a22); scores[s2 + 3] = Vector512.Sum(a32);
        scores[s3] = Vector512.Sum(a03); scores[s3 + 1] = Vector512.Sum(a13); scores[s3 + 2] = Vector512.Sum(a23); scores[s3 + 3] = Vector512.Sum(a33);
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
