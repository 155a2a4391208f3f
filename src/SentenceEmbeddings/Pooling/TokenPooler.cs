using System.Numerics.Tensors;

namespace SentenceEmbeddings.Pooling;

/// <summary>Turns one sequence's token vectors into its sentence vector, the way sentence-transformers' Pooling and Normalize modules do.</summary>
internal static class TokenPooler
{
    /// <summary>Pools the token vectors of one sequence into <paramref name="destination"/>.</summary>
    /// <param name="tokens">The sequence's token vectors, row-major <c>[paddedLength, hiddenSize]</c>.</param>
    /// <param name="hiddenSize">The size of one token vector.</param>
    /// <param name="length">The number of real (attended) tokens; positions from <paramref name="length"/> on are padding.</param>
    /// <param name="firstPooled">The first position that takes part in mean/max/weighted pooling (a prompt excluded from pooling ends before it).</param>
    /// <param name="settings">The pooling strategies.</param>
    /// <param name="destination">The sentence vector, <c>settings.VectorCount * hiddenSize</c> long.</param>
    public static void Pool(ReadOnlySpan<float> tokens, int hiddenSize, int length, int firstPooled, PoolingSettings settings, Span<float> destination)
    {
        int offset = 0;
        PoolingModes modes = settings.Modes;
        if ((modes & PoolingModes.Cls) != 0)
        {
            tokens[..hiddenSize].CopyTo(destination.Slice(offset, hiddenSize));
            offset += hiddenSize;
        }

        // Positions [firstPooled, length) are attended; sentence-transformers clamps the count at 1e-9, so an empty
        // range gives zeros for the sums and -1e9 for max, which we reproduce.
        int count = Math.Max(length - firstPooled, 0);
        if ((modes & PoolingModes.Max) != 0)
        {
            Span<float> max = destination.Slice(offset, hiddenSize);
            if (count == 0)
            {
                max.Fill(-1e9f);
            }
            else
            {
                tokens.Slice(firstPooled * hiddenSize, hiddenSize).CopyTo(max);
                for (int t = firstPooled + 1; t < length; t++)
                {
                    TensorPrimitives.Max(max, tokens.Slice(t * hiddenSize, hiddenSize), max);
                }
            }

            offset += hiddenSize;
        }

        if ((modes & (PoolingModes.Mean | PoolingModes.MeanSqrtLength)) != 0)
        {
            float[]? rented = hiddenSize > 2048 ? System.Buffers.ArrayPool<float>.Shared.Rent(hiddenSize) : null;
            Span<float> sum = rented is null ? stackalloc float[hiddenSize] : rented.AsSpan(0, hiddenSize);
            SumRows(tokens, hiddenSize, firstPooled, length, sum);
            float divisor = Math.Max(count, 1e-9f);
            if ((modes & PoolingModes.Mean) != 0)
            {
                TensorPrimitives.Divide(sum, divisor, destination.Slice(offset, hiddenSize));
                offset += hiddenSize;
            }

            if ((modes & PoolingModes.MeanSqrtLength) != 0)
            {
                TensorPrimitives.Divide(sum, MathF.Sqrt(divisor), destination.Slice(offset, hiddenSize));
                offset += hiddenSize;
            }

            if (rented is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(rented);
            }
        }

        if ((modes & PoolingModes.WeightedMean) != 0)
        {
            // Weights are the 1-based positions in the padded sequence, as in sentence-transformers.
            Span<float> weighted = destination.Slice(offset, hiddenSize);
            weighted.Clear();
            float weightSum = 0;
            for (int t = firstPooled; t < length; t++)
            {
                float weight = t + 1;
                TensorPrimitives.MultiplyAdd(tokens.Slice(t * hiddenSize, hiddenSize), weight, weighted, weighted);
                weightSum += weight;
            }

            TensorPrimitives.Divide(weighted, Math.Max(weightSum, 1e-9f), weighted);
            offset += hiddenSize;
        }

        if ((modes & PoolingModes.LastToken) != 0)
        {
            tokens.Slice(Math.Max(length - 1, 0) * hiddenSize, hiddenSize).CopyTo(destination.Slice(offset, hiddenSize));
        }
    }

    /// <summary>Scales <paramref name="vector"/> to unit length, leaving a zero vector as it is (as torch's normalize does).</summary>
    /// <param name="vector">The vector to normalise in place.</param>
    public static void NormalizeL2(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector);
    }

    private static void SumRows(ReadOnlySpan<float> tokens, int hiddenSize, int from, int to, Span<float> sum)
    {
        sum.Clear();
        for (int t = from; t < to; t++)
        {
            TensorPrimitives.Add(sum, tokens.Slice(t * hiddenSize, hiddenSize), sum);
        }
    }
}
