using System.Numerics.Tensors;

namespace SentenceEmbeddings.Pooling;

/// <summary>Pools the vectors of a text's chunks into the text's vector: their mean weighted by each chunk's token count.</summary>
internal static class ChunkPooler
{
    /// <summary>Returns the token-weighted mean of the vectors, L2-normalised when asked; one vector is returned as it is.</summary>
    /// <param name="vectors">The chunk vectors.</param>
    /// <param name="tokenCounts">The chunk token counts, the weights.</param>
    /// <param name="normalize">Whether to L2-normalise the mean (the model ends with a Normalize module).</param>
    /// <returns>The pooled vector.</returns>
    public static float[] WeightedMean(ReadOnlySpan<float[]> vectors, ReadOnlySpan<int> tokenCounts, bool normalize)
    {
        if (vectors.Length == 1)
        {
            // A text that fits the window keeps the exact vector of Truncate mode.
            return vectors[0];
        }

        long total = 0;
        foreach (int count in tokenCounts)
        {
            total += count;
        }

        float[] mean = new float[vectors[0].Length];
        for (int i = 0; i < vectors.Length; i++)
        {
            TensorPrimitives.MultiplyAdd(vectors[i], (float)tokenCounts[i] / total, mean, mean);
        }

        if (normalize)
        {
            TokenPooler.NormalizeL2(mean);
        }

        return mean;
    }
}
