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
}
