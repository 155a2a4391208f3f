using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;

namespace SentenceEmbeddings.Benchmarks.Search;

/// <summary>The search methods of <see cref="SearchBenchmarks"/> alternated round by round in one process, outside BenchmarkDotNet; the fastest round of each is the figure least disturbed by a shared machine's other work.</summary>
public static class SearchPairedRun
{
    private const int Dimensions = 384;

    /// <summary>Runs <paramref name="rounds"/> rounds over an index of <paramref name="size"/> random unit vectors and prints the best and median milliseconds per query.</summary>
    public static void Run(int size, int rounds, int threads)
    {
        var random = new Random(1);
        var options = new VectorIndexOptions { MaxDegreeOfParallelism = threads };
        using var exact = new VectorIndex(Dimensions, options);
        using var int8 = new VectorIndex(Dimensions, new VectorIndexOptions { Encoding = VectorEncoding.Int8, MaxDegreeOfParallelism = threads });
        using var binary = new VectorIndex(Dimensions, new VectorIndexOptions { Encoding = VectorEncoding.Binary, MaxDegreeOfParallelism = threads });
        float[] vector = new float[Dimensions];
        for (int i = 0; i < size; i++)
        {
            Fill(random, vector);
            string key = i.ToString(CultureInfo.InvariantCulture);
            exact.Add(key, vector);
            int8.Add(key, vector);
            binary.Add(key, vector);
        }

        float[] scanned = new float[size * Dimensions];
        scanned.AsSpan().Fill(1); // untouched zero pages would all read one cached page
        ReadOnlyMemory<float>[] queries = [.. Enumerable.Range(0, 64).Select(_ =>
        {
            float[] q = new float[Dimensions];
            Fill(random, q);
            return (ReadOnlyMemory<float>)q;
        })];
        var noRescore = new VectorSearchOptions { RescoreMultiplier = 0 };
        var rescore4 = new VectorSearchOptions { RescoreMultiplier = 4 };
        (string Name, int Queries, Action Run)[] methods =
        [
            ("bandwidth (TensorPrimitives.Sum, same bytes as float)", 1, () => TensorPrimitives.Sum(scanned)),
            ("float exact, single query", 4, () => { foreach (var q in queries[..4]) { exact.Search(q.Span, 10); } }),
            ("float exact, batch of 64", 64, () => exact.SearchBatch(queries, 10)),
            ("int8, no rescoring", 8, () => { foreach (var q in queries[..8]) { int8.Search(q.Span, 10, noRescore); } }),
            ("int8, rescoring x4", 8, () => { foreach (var q in queries[..8]) { int8.Search(q.Span, 10, rescore4); } }),
            ("binary, no rescoring", 16, () => { foreach (var q in queries[..16]) { binary.Search(q.Span, 10, noRescore); } }),
            ("binary, rescoring x4", 16, () => { foreach (var q in queries[..16]) { binary.Search(q.Span, 10, rescore4); } }),
        ];
        var times = methods.Select(_ => new List<double>()).ToArray();
        foreach ((string _, int _, Action run) in methods)
        {
            run();
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int m = 0; m < methods.Length; m++)
            {
                var stopwatch = Stopwatch.StartNew();
                methods[m].Run();
                times[m].Add(stopwatch.Elapsed.TotalMilliseconds / methods[m].Queries);
            }
        }

        double floatBest = times[1].Min();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size:N0} vectors x {Dimensions}, {rounds} rounds, threads {(threads == -1 ? Environment.ProcessorCount : threads)}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        for (int m = 0; m < methods.Length; m++)
        {
            double best = times[m].Min();
            double median = times[m].Order().ElementAt(times[m].Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{methods[m].Name,-55} best {best,8:F2} ms/query, median {median,8:F2}, {floatBest / best,6:F2} x float single"));
        }

        double gigabytes = (double)size * Dimensions * 4 / 1e9;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bandwidth best {gigabytes / (times[0].Min() / 1000):F1} GB/s; float single best {gigabytes / (floatBest / 1000):F1} GB/s = {times[0].Min() / floatBest:F2} x the bandwidth"));
    }

    private static void Fill(Random random, float[] vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}
