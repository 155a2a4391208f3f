using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>One short sentence, one call: the latency a request handler sees (median and P99 columns).</summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class LatencyBenchmarks
{
    private SentenceEmbeddingGenerator _generator = null!;

    [GlobalSetup]
    public void Setup() => _generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    [Benchmark(Description = "one short sentence")]
    public async Task<int> OneSentence() => (await _generator.GenerateVectorAsync("A man is playing a guitar on the street.")).Length;
}
