using System.Globalization;
using System.Numerics.Tensors;
using SentenceEmbeddings.Scoring;

namespace SentenceEmbeddings.Benchmarks.Search;

/// <summary>recall@10 of the compact encodings against exact float search, on real embeddings: every tenth text of assets/data is a query, the rest the index.</summary>
public static class SearchRecall
{
    private const int Top = 10;

    /// <summary>Prints recall@10 per encoding and rescoring multiplier, and the int8 scheme comparison (decision 16).</summary>
    public static async Task RunAsync()
    {
        float[][] vectors = await RealEmbeddings.LoadAsync().ConfigureAwait(false);
        float[][] queries = [.. vectors.Where((_, i) => i % 10 == 0)];
        float[][] documents = [.. vectors.Where((_, i) => i % 10 != 0)];
        Console.WriteLine($"{documents.Length} documents, {queries.Length} queries (every tenth text of assets/data), all-MiniLM-L6-v2, recall@{Top}");

        using VectorIndex exact = Build(documents, VectorEncoding.Float32);
        IReadOnlyList<IReadOnlyList<VectorMatch>> truth = exact.SearchBatch([.. queries.Select(q => (ReadOnlyMemory<float>)q)], Top);
        foreach (VectorEncoding encoding in (VectorEncoding[])[VectorEncoding.Int8, VectorEncoding.Binary])
        {
            using VectorIndex index = Build(documents, encoding);
            foreach (int multiplier in (int[])[0, 1, 2, 4, 10])
            {
                var options = new VectorSearchOptions { RescoreMultiplier = multiplier };
                double recall = Recall(truth, queries, q => index.Search(q, Top, options).Select(m => m.Key));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{encoding,-7} rescore x{multiplier,-2}: recall@{Top} {recall:F4}"));
            }
        }

        // The int8 scheme (decision 16): sentence-transformers' per-dimension ranges, calibrated on the documents themselves, against one scale per vector.
        double perDimension = Recall(truth, queries, PerDimensionSearch(documents));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"int8 per-dimension ranges (calibrated on the documents), no rescoring: recall@{Top} {perDimension:F4}"));
    }

    private static VectorIndex Build(float[][] documents, VectorEncoding encoding)
    {
        var index = new VectorIndex(RealEmbeddings.Dimensions, new VectorIndexOptions { Encoding = encoding });
        for (int i = 0; i < documents.Length; i++)
        {
            index.Add(i.ToString("D6", CultureInfo.InvariantCulture), documents[i]);
        }

        return index;
    }

    private static double Recall(IReadOnlyList<IReadOnlyList<VectorMatch>> truth, float[][] queries, Func<float[], IEnumerable<string>> search)
    {
        double sum = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            var expected = truth[q].Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            sum += search(queries[q]).Count(expected.Contains) / (double)expected.Count;
        }

        return sum / queries.Length;
    }

    private static Func<float[], IEnumerable<string>> PerDimensionSearch(float[][] documents)
    {
        int d = RealEmbeddings.Dimensions;
        float[][] units = [.. documents.Select(Unit)];
        float[] minimums = [.. Enumerable.Range(0, d).Select(i => units.Min(v => v[i]))];
        float[] steps = [.. Enumerable.Range(0, d).Select(i => (units.Max(v => v[i]) - minimums[i]) / 255f)];
        sbyte[][] codes = [.. units.Select(v =>
        {
            var code = new sbyte[d];
            Int8Codec.EncodePerDimension(v, minimums, steps, code);
            return code;
        })];
        return query =>
        {
            // x = min + step (code + 128): the dot product is a constant plus the query scaled by the steps dotted with the codes.
            float[] unit = Unit(query);
            float[] scaled = new float[d];
            TensorPrimitives.Multiply(unit, steps, scaled);
            return Enumerable.Range(0, codes.Length)
                .Select(i => (Key: i.ToString("D6", CultureInfo.InvariantCulture), Score: Int8Codec.Dot(scaled, codes[i])))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal).Take(Top).Select(x => x.Key);
        };
    }

    private static float[] Unit(float[] vector)
    {
        float[] unit = new float[vector.Length];
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), unit);
        return unit;
    }
}
