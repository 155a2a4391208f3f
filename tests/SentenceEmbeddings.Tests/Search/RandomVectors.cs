using System.Globalization;
using System.Numerics.Tensors;

namespace SentenceEmbeddings.Tests.Search;

/// <summary>Seeded random vectors and the brute-force reference search the index is checked against.</summary>
internal static class RandomVectors
{
    public static float[][] Create(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = new float[dimensions];
            for (int j = 0; j < dimensions; j++)
            {
                vectors[i][j] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return vectors;
    }

    /// <summary>An index of the vectors under <see cref="Key"/>(i).</summary>
    public static VectorIndex Index(float[][] vectors, VectorEncoding encoding = VectorEncoding.Float32)
    {
        var index = new VectorIndex(vectors[0].Length, new VectorIndexOptions { Encoding = encoding });
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add(Key(i), vectors[i]);
        }

        return index;
    }

    public static string Key(int i) => "k" + i.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The vector as the index stores it: divided by its norm.</summary>
    public static float[] Unit(float[] vector)
    {
        float[] unit = new float[vector.Length];
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), unit);
        return unit;
    }

    /// <summary>Asserts the same keys in the same order, and scores equal to float rounding (the index sums in another order than TensorPrimitives.Dot).</summary>
    public static void AssertSame(IEnumerable<(string Key, float Score)> expected, IEnumerable<(string Key, float Score)> actual)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        Assert.Equal(e.Select(x => x.Key), a.Select(x => x.Key));
        Assert.All(e.Zip(a), p => Assert.Equal(p.First.Score, p.Second.Score, 1e-6f));
    }

    /// <summary>Every key scored with TensorPrimitives.Dot, best first, ties by ordinal key.</summary>
    public static List<(string Key, float Score)> BruteForce(IEnumerable<(string Key, float[] Vector)> entries, float[] query, int top)
    {
        float[] unit = Unit(query);
        return [.. entries
            .Select(e => (e.Key, Score: TensorPrimitives.Dot(unit, Unit(e.Vector))))
            .OrderByDescending(e => e.Score).ThenBy(e => e.Key, StringComparer.Ordinal)
            .Take(top)];
    }
}
