using Microsoft.ML.OnnxRuntime;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>One-sentence calls through DI beside raw <c>session.Run</c> on the same pre-tokenized sentence (the floor), fp32 and int8, alternated in blocks in one process; prints p50/p99 of every call.</summary>
public static class LatencyPairedRun
{
    private const string Sentence = "A man is playing a guitar on the street.";

    /// <summary>Runs <paramref name="rounds"/> rounds of <paramref name="callsPerBlock"/> calls per method, then 64 concurrent callers over the short corpus beside one call.</summary>
    public static async Task RunAsync(int rounds, int callsPerBlock)
    {
        string folder = Int8Benchmarks.QuantizedCopy();
        string int8File = Int8Benchmarks.VariantFile(AttentionQuantization.Flash);
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(o =>
        {
            o.Tiers["fast"] = new EmbeddingTierOptions { Path = folder };
            o.Tiers["fast-int8"] = new EmbeddingTierOptions { ModelId = "sentence-transformers/all-MiniLM-L6-v2", Path = folder, OnnxFile = int8File };
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        var fp32 = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast");
        var int8 = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast-int8");
        await fp32.GenerateAsync([Sentence]).ConfigureAwait(false);
        await int8.GenerateAsync([Sentence]).ConfigureAwait(false);

        long[] ids = SentenceTokenizer.Load(folder).Tokenize(Sentence);
        using var rawFp32 = new RawSentenceSession(Path.Combine(folder, "onnx", "model.onnx"), ids);
        using var rawInt8 = new RawSentenceSession(Path.Combine(folder, int8File), ids);

        // The library's own session options (ThreadSpinning.DuringRuns): what is left between this and the DI call is ours, not ONNX Runtime's.
        using var libraryOptions = new SessionOptions();
        libraryOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        libraryOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "1");
        libraryOptions.AddSessionConfigEntry("session.force_spinning_stop", "1");
        using var rawFp32Library = new RawSentenceSession(Path.Combine(folder, "onnx", "model.onnx"), ids, libraryOptions);
        // Floor: the row a method's p50 and p99 are divided by (-1: none).
        (string Name, Func<ValueTask> Call, int Floor)[] methods =
        [
            ("raw session.Run fp32 (ORT defaults)", () => { rawFp32.Run(); return ValueTask.CompletedTask; }, -1),
            ("DI fast tier fp32, GenerateAsync", async () => await fp32.GenerateAsync([Sentence]).ConfigureAwait(false), 0),
            ("raw session.Run int8 (ORT defaults)", () => { rawInt8.Run(); return ValueTask.CompletedTask; }, -1),
            ("DI int8 tier, GenerateAsync", async () => await int8.GenerateAsync([Sentence]).ConfigureAwait(false), 2),
            ("raw session.Run fp32 (library options)", () => { rawFp32Library.Run(); return ValueTask.CompletedTask; }, 0),
        ];
        var samples = methods.Select(_ => new List<double>()).ToArray();
        for (int round = -1; round < rounds; round++)
        {
            for (int m = 0; m < methods.Length; m++)
            {
                Thread.Sleep(20); // the previous method's spinning threads go to sleep
                for (int call = 0; call < callsPerBlock; call++)
                {
                    long started = Stopwatch.GetTimestamp();
                    await methods[m].Call().ConfigureAwait(false);
                    if (round >= 0)
                    {
                        samples[m].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds x {callsPerBlock} calls per method, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        for (int m = 0; m < methods.Length; m++)
        {
            double p50 = Percentile(samples[m], 0.50), p99 = Percentile(samples[m], 0.99);
            int floor = methods[m].Floor;
            string ratio = floor >= 0
                ? string.Create(CultureInfo.InvariantCulture, $"  = {p50 / Percentile(samples[floor], 0.50):F2} x raw p50, {p99 / Percentile(samples[floor], 0.99):F2} x raw p99")
                : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{methods[m].Name,-40} p50 {p50,6:F3} ms  p99 {p99,6:F3} ms{ratio}"));
        }

        // Concurrency: the short corpus from 64 callers one text each, beside the same texts in one call (best of 3 each, alternated).
        string[] texts = Corpus.Load("short");
        double one = double.MaxValue, many = double.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long started = Stopwatch.GetTimestamp();
            await fp32.GenerateAsync(texts).ConfigureAwait(false);
            one = Math.Min(one, Stopwatch.GetElapsedTime(started).TotalSeconds);
            started = Stopwatch.GetTimestamp();
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < texts.Length)
                {
                    await fp32.GenerateAsync([texts[index]]).ConfigureAwait(false);
                }
            }))).ConfigureAwait(false);
            many = Math.Min(many, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"short corpus ({texts.Length}): one call {one:F2} s, 64 concurrent callers {many:F2} s = {one / many:F2} x one call's throughput"));
    }

    private static double Percentile(List<double> values, double p)
    {
        double[] sorted = [.. values.Order()];
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
    }
}
