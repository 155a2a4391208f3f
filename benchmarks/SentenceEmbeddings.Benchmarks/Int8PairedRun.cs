using System.Diagnostics;
using System.Globalization;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>fp32 and int8 whole-corpus calls alternated in one process; the ratio of each pair cancels slow swings in the load of a shared machine.</summary>
public static class Int8PairedRun
{
    /// <summary>Runs <paramref name="pairs"/> fp32/int8 pairs per corpus and prints each pair and the medians.</summary>
    public static async Task RunAsync(int pairs)
    {
        string folder = Int8Benchmarks.QuantizedCopy();
        using var fp32 = new SentenceEmbeddingGenerator(folder);
        using var int8 = new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = "onnx/" + OnnxQuantizationOptions.DefaultOutputFileName });
        foreach (string name in (string[])["short", "long"])
        {
            string[] texts = Corpus.Load(name);
            await fp32.GenerateAsync(texts.Take(64)).ConfigureAwait(false);
            await int8.GenerateAsync(texts.Take(64)).ConfigureAwait(false);
            var fp32Seconds = new List<double>();
            var int8Seconds = new List<double>();
            var ratios = new List<double>();
            for (int pair = 0; pair < pairs; pair++)
            {
                var stopwatch = Stopwatch.StartNew();
                await fp32.GenerateAsync(texts).ConfigureAwait(false);
                fp32Seconds.Add(stopwatch.Elapsed.TotalSeconds);
                stopwatch.Restart();
                await int8.GenerateAsync(texts).ConfigureAwait(false);
                int8Seconds.Add(stopwatch.Elapsed.TotalSeconds);
                ratios.Add(fp32Seconds[^1] / int8Seconds[^1]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} pair {pair + 1}: fp32 {fp32Seconds[^1]:F2} s, int8 {int8Seconds[^1]:F2} s, {ratios[^1]:F2} x"));
            }

            double f = Median(fp32Seconds), q = Median(int8Seconds);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} ({texts.Length} texts): median fp32 {f:F2} s ({texts.Length / f:F1}/s), median int8 {q:F2} s ({texts.Length / q:F1}/s), median pair ratio {Median(ratios):F2} x"));
        }
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
