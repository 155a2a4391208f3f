using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SentenceEmbeddings.Scoring;

/// <summary>int8 codes of unit vectors with one scale per vector (<c>code = round(127 x / max|x|)</c>), scored against a float query without decoding.</summary>
/// <remarks>Chosen over sentence-transformers' per-dimension ranges by recall (docs/decisions.md 16); <see cref="EncodePerDimension"/> stays for that measurement.</remarks>
internal static class Int8Codec
{
    /// <summary>Encodes a vector; returns the scale that turns code dot products back into the vector's.</summary>
    public static float Encode(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        float maxAbs = TensorPrimitives.MaxMagnitude(vector);
        maxAbs = Math.Abs(maxAbs);
        if (maxAbs == 0)
        {
            codes.Clear();
            return 0;
        }

        float toCode = 127f / maxAbs;
        for (int i = 0; i < vector.Length; i++)
        {
            codes[i] = (sbyte)MathF.Round(vector[i] * toCode);
        }

        return maxAbs / 127f;
    }

    /// <summary>Encodes a vector with per-dimension ranges as sentence-transformers' <c>quantize_embeddings</c> does (rounded, not truncated).</summary>
    public static void EncodePerDimension(ReadOnlySpan<float> vector, ReadOnlySpan<float> minimums, ReadOnlySpan<float> steps, Span<sbyte> codes)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            float code = MathF.Round((vector[i] - minimums[i]) / steps[i]) - 128f;
            codes[i] = (sbyte)Math.Clamp(code, -128f, 127f);
        }
    }

    /// <summary>The dot product of a float query with int8 codes.</summary>
    public static float Dot(ReadOnlySpan<float> query, ReadOnlySpan<sbyte> codes)
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref sbyte c = ref MemoryMarshal.GetReference(codes);
        int width = query.Length;
        int i = 0;
        float sum = 0;
        if (Avx512F.IsSupported && width >= 16)
        {
            // 16 codes widen to 16 ints in one instruction (vpmovsxbd), then to floats.
            Vector512<float> acc0 = default, acc1 = default;
            for (; i + 32 <= width; i += 32)
            {
                Vector512<float> x0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref c, (nuint)i)));
                Vector512<float> x1 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref c, (nuint)i + 16)));
                acc0 = Avx512F.FusedMultiplyAdd(x0, Vector512.LoadUnsafe(ref q, (nuint)i), acc0);
                acc1 = Avx512F.FusedMultiplyAdd(x1, Vector512.LoadUnsafe(ref q, (nuint)i + 16), acc1);
            }

            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Avx2.IsSupported && Fma.IsSupported && width >= 8)
        {
            Vector256<float> acc = default;
            for (; i + 8 <= width; i += 8)
            {
                Vector256<float> x = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref c, (nuint)i)));
                acc = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref q, (nuint)i), acc);
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < width; i++)
        {
            sum += query[i] * codes[i];
        }

        return sum;
    }
}
