using System.Diagnostics;
using System.Globalization;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>fp32 and one int8 file per attention choice: whole-corpus calls alternated in one process; the ratio within each round cancels slow swings in the load of a shared machine.</summary>
public static class Int8PairedRun
{
    /// <summary>Runs <paramref name="rounds"/> rounds (fp32, then each int8 file) per corpus and prints each round and the medians.</summary>
    public static async Task RunAsync(int rounds)
    {
        string folder = Int8Benchmarks.QuantizedCopy();
        AttentionQuantization[] variants = Enum.GetValues<AttentionQuantization>();
        using var fp32 = new SentenceEmbeddingGenerator(folder);
        SentenceEmbeddingGenerator[] int8 = [.. variants.Select(v => new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = Int8Benchmarks.VariantFile(v) }))];
        try
        {
            foreach (string name in (string[])["short", "long"])
            {
                string[] texts = Corpus.Load(name);
                await fp32.GenerateAsync(texts.Take(64)).ConfigureAwait(false);
                foreach (SentenceEmbeddingGenerator generator in int8)
                {
                    await generator.GenerateAsync(texts.Take(64)).ConfigureAwait(false);
                }

                var fp32Seconds = new List<double>();
                List<double>[] ratios = [.. variants.Select(_ => new List<double>())];
                for (int round = 0; round < rounds; round++)
                {
                    fp32Seconds.Add(await TimeAsync(fp32, texts).ConfigureAwait(false));
                    var line = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{name} round {round + 1}: fp32 {fp32Seconds[^1]:F2} s"));
                    for (int v = 0; v < variants.Length; v++)
                    {
                        double seconds = await TimeAsync(int8[v], texts).ConfigureAwait(false);
                        ratios[v].Add(fp32Seconds[^1] / seconds);
                        line.Append(CultureInfo.InvariantCulture, $", {variants[v]} {seconds:F2} s ({ratios[v][^1]:F2} x)");
                    }

                    Console.WriteLine(line);
                }

                double f = Median(fp32Seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({texts.Length} texts): median fp32 {f:F2} s ({texts.Length / f:F1}/s); median ratio to fp32: ") +
                    string.Join(", ", variants.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{v} {Median(ratios[i]):F2} x (min {ratios[i].Min():F2})"))));
            }
        }
        finally
        {
            foreach (SentenceEmbeddingGenerator generator in int8)
            {
                generator.Dispose();
            }
        }
    }

    private static async Task<double> TimeAsync(SentenceEmbeddingGenerator generator, string[] texts)
    {
        var stopwatch = Stopwatch.StartNew();
        await generator.GenerateAsync(texts).ConfigureAwait(false);
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
