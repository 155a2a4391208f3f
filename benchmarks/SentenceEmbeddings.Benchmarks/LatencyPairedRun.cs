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
    /// <param name="rounds">The rounds.</param>
    /// <param name="callsPerBlock">The calls per method and round.</param>
    /// <param name="spinning">The DI tiers' <see cref="ThreadSpinning"/> (the library's default unless given), and the library-options raw row's.</param>
    public static async Task RunAsync(int rounds, int callsPerBlock, ThreadSpinning spinning)
    {
        string folder = Int8Benchmarks.QuantizedCopy();
        string int8File = Int8Benchmarks.VariantFile(AttentionQuantization.Flash);
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(o =>
        {
            o.Tiers["fast"] = new EmbeddingTierOptions { Path = folder, ThreadSpinning = spinning };
            o.Tiers["fast-int8"] = new EmbeddingTierOptions { ModelId = "sentence-transformers/all-MiniLM-L6-v2", Path = folder, OnnxFile = int8File, ThreadSpinning = spinning };
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        var fp32 = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast");
        var int8 = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast-int8");
        await fp32.GenerateAsync([Sentence]).ConfigureAwait(false);
        await int8.GenerateAsync([Sentence]).ConfigureAwait(false);

        long[] ids = SentenceTokenizer.Load(folder).Tokenize(Sentence);
        using var rawFp32 = new RawSentenceSession(Path.Combine(folder, "onnx", "model.onnx"), ids);
        using var rawInt8 = new RawSentenceSession(Path.Combine(folder, int8File), ids);

        // The library's own session options: what is left between this and the DI call is ours, not ONNX Runtime's.
        using var libraryOptions = new SessionOptions();
        string allow = spinning == ThreadSpinning.Never ? "0" : "1";
        libraryOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", allow);
        libraryOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", allow);
        libraryOptions.AddSessionConfigEntry("session.force_spinning_stop", spinning == ThreadSpinning.DuringRuns ? "1" : "0");
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
        // Each call's time and whether a gen-0 collection ran during it.
        var samples = methods.Select(_ => new List<(double Ms, bool Collected)>()).ToArray();
        for (int round = -1; round < rounds; round++)
        {
            for (int m = 0; m < methods.Length; m++)
            {
                // The previous method's threads must be asleep: with ONNX Runtime's defaults they spin on after a run, and
                // after a 20 ms pause they still took a core from the next block's first calls (its p99 2.4 x the floor's; 1.0 x at 300 ms).
                Thread.Sleep(100);
                for (int call = 0; call < callsPerBlock; call++)
                {
                    int gen0 = GC.CollectionCount(0);
                    long started = Stopwatch.GetTimestamp();
                    await methods[m].Call().ConfigureAwait(false);
                    if (round >= 0)
                    {
                        samples[m].Add((Stopwatch.GetElapsedTime(started).TotalMilliseconds, GC.CollectionCount(0) != gen0));
                    }
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds x {callsPerBlock} calls per method, ThreadSpinning.{spinning}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        for (int m = 0; m < methods.Length; m++)
        {
            double p50 = Percentile(samples[m], 0.50), p99 = Percentile(samples[m], 0.99);
            int floor = methods[m].Floor;
            string ratio = floor >= 0
                ? string.Create(CultureInfo.InvariantCulture, $"  = {p50 / Percentile(samples[floor], 0.50):F2} x raw p50, {p99 / Percentile(samples[floor], 0.99):F2} x raw p99")
                : string.Empty;
            int collected = samples[m].Count(c => c.Collected);
            int slowWithGc = samples[m].OrderByDescending(c => c.Ms).Take(Math.Max(1, samples[m].Count / 100)).Count(c => c.Collected);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{methods[m].Name,-40} p50 {p50,6:F3} ms  p99 {p99,6:F3} ms{ratio}  [gen-0 GCs in {collected} calls, {slowWithGc} of the slowest 1 %]"));
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

    private static double Percentile(List<(double Ms, bool Collected)> calls, double p)
    {
        double[] sorted = [.. calls.Select(c => c.Ms).Order()];
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
    }
}
