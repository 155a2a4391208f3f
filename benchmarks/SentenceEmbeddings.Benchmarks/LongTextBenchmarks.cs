using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>The cost of chunk mode: the documents of the long-document evaluation (four consecutive paragraphs of long.txt each) in Truncate and Chunk mode.</summary>
/// <remarks>Chunk mode runs about five times the tokens; its tokens per second (tokens run ÷ mean time, printed at setup) should stay at least 0.8 × Truncate's.</remarks>
[MemoryDiagnoser]
public class LongTextBenchmarks
{
    private SentenceEmbeddingGenerator _generator = null!;
    private string[] _documents = null!;
    private EmbeddingGenerationOptions _options = null!;

    [Params("truncate", "chunk")]
    public string Mode { get; set; } = "truncate";

    /// <summary>Builds documents of four consecutive paragraphs (about 900 words each).</summary>
    public static string[] Documents()
    {
        string[] paragraphs = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "long.txt"));
        string[] documents = [.. paragraphs.Chunk(4).Select(p => string.Join('\n', p))];
        return Corpus.IsQuick ? documents[..8] : documents;
    }

    [GlobalSetup]
    public void Setup()
    {
        _documents = Documents();
        _generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        _options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.LongTextPropertyName] = Mode } };
        long tokens = _generator.GenerateAsync(_documents, _options).GetAwaiter().GetResult().Usage!.InputTokenCount!.Value;
        Console.WriteLine($"// {Mode}: {_documents.Length} documents, {tokens} tokens run per call");
    }

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    [Benchmark]
    public Task<GeneratedEmbeddings<Embedding<float>>> EmbedDocuments() => _generator.GenerateAsync(_documents, _options);

    /// <summary>Outside BenchmarkDotNet: alternated whole-corpus calls of both modes, then the process's peak working set.</summary>
    public static async Task<int> PairedRunAsync(int rounds)
    {
        string[] documents = Documents();
        using var generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        var seconds = new Dictionary<string, List<double>> { ["truncate"] = [], ["chunk"] = [] };
        var tokens = new Dictionary<string, long>();
        for (int round = 0; round <= rounds; round++)
        {
            foreach (string mode in seconds.Keys)
            {
                var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.LongTextPropertyName] = mode } };
                var watch = Stopwatch.StartNew();
                GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(documents, options).ConfigureAwait(false);
                watch.Stop();
                tokens[mode] = result.Usage!.InputTokenCount!.Value;
                if (round > 0)
                {
                    seconds[mode].Add(watch.Elapsed.TotalSeconds);
                }
            }
        }

        double Rate(string mode) => tokens[mode] / seconds[mode].Order().ElementAt(seconds[mode].Count / 2);
        foreach (string mode in seconds.Keys)
        {
            Console.WriteLine($"{mode}: {tokens[mode]} tokens per call, median {seconds[mode].Order().ElementAt(seconds[mode].Count / 2):F2} s, {Rate(mode):F0} tokens/s");
        }

        Console.WriteLine($"chunk / truncate tokens per second: {Rate("chunk") / Rate("truncate"):F2}");
        await HugeTextAsync(generator).ConfigureAwait(false);
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        return 0;
    }

    /// <summary>Bad input: a 10 MB text in chunk mode stops at MaxChunksPerText (128), flagged truncated, in bounded time and memory.</summary>
    public static async Task<int> HugeTextAsync()
    {
        using var generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        await HugeTextAsync(generator).ConfigureAwait(false);
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        return 0;
    }

    private static async Task HugeTextAsync(SentenceEmbeddingGenerator generator)
    {
        string paragraph = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "long.txt"))[0];
        string huge = string.Join('\n', Enumerable.Repeat(paragraph, (10_000_000 / paragraph.Length) + 1));
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.LongTextPropertyName] = "chunk" } };
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        Embedding<float> embedding = (await generator.GenerateAsync([huge], options).ConfigureAwait(false))[0];
        watch.Stop();
        Console.WriteLine(
            $"10 MB text ({huge.Length:N0} chars), chunk mode: {embedding.AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]} chunks, " +
            $"truncated {embedding.AdditionalProperties[SentenceEmbeddingGenerator.TruncatedPropertyName]}, {embedding.AdditionalProperties[SentenceEmbeddingGenerator.TokenCountPropertyName]} tokens, " +
            $"{watch.Elapsed.TotalSeconds:F2} s, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (1024.0 * 1024):F0} MiB allocated");
    }

    /// <summary>One-sentence calls while a 1 MB document is embedded in chunk mode (its first <paramref name="maxChunks"/> windows), beside the same calls alone: p50/p99 of each.</summary>
    /// <param name="maxChunks">How many windows of the document run; 400 keep the document busy for seconds.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> FairnessAsync(int maxChunks)
    {
        using var generator = new SentenceEmbeddingGenerator(Corpus.MiniLM, new SentenceEmbeddingGeneratorOptions { LongTextMode = LongTextMode.Chunk, MaxChunksPerText = maxChunks });
        string paragraph = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "long.txt"))[0];
        string document = string.Join('\n', Enumerable.Repeat(paragraph, (1_000_000 / paragraph.Length) + 1));
        string[] sentences = Corpus.Load("short");
        await generator.GenerateAsync(["warm up"]).ConfigureAwait(false);

        List<double> alone = await TimeShortCallsAsync(generator, sentences, 200, until: null).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        Task<GeneratedEmbeddings<Embedding<float>>> big = generator.GenerateAsync([document]);
        List<double> beside = await TimeShortCallsAsync(generator, sentences, int.MaxValue, until: big).ConfigureAwait(false);
        Embedding<float> embedded = (await big.ConfigureAwait(false))[0];
        watch.Stop();
        Console.WriteLine($"one sentence alone:        {alone.Count} calls, p50 {Percentile(alone, 0.50):F2} ms, p99 {Percentile(alone, 0.99):F2} ms");
        Console.WriteLine($"beside the 1 MB document:  {beside.Count} calls, p50 {Percentile(beside, 0.50):F2} ms, p99 {Percentile(beside, 0.99):F2} ms");
        Console.WriteLine($"the document ({document.Length:N0} chars): {embedded.AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]} chunks in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static async Task<List<double>> TimeShortCallsAsync(SentenceEmbeddingGenerator generator, string[] sentences, int count, Task? until)
    {
        var latencies = new List<double>();
        for (int i = 0; i < count && until?.IsCompleted != true; i++)
        {
            long started = Stopwatch.GetTimestamp();
            await generator.GenerateAsync([sentences[i % sentences.Length]]).ConfigureAwait(false);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return latencies;
    }

    private static double Percentile(List<double> values, double fraction)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
    }
}
