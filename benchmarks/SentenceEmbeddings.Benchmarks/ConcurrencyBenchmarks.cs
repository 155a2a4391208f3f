using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>The short corpus sent by 64 concurrent callers, one text per call, beside the same texts in one call.</summary>
[MemoryDiagnoser]
public class ConcurrencyBenchmarks
{
    private const int Callers = 64;
    private SentenceEmbeddingGenerator _generator = null!;
    private string[] _texts = null!;

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load("short");
        _generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
    }

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    [Benchmark(Baseline = true, Description = "one call, whole corpus")]
    public async Task<int> OneCall() => (await _generator.GenerateAsync(_texts)).Count;

    [Benchmark(Description = "64 concurrent single-text callers")]
    public async Task<int> ConcurrentCallers()
    {
        int next = -1;
        int done = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < _texts.Length)
            {
                await _generator.GenerateVectorAsync(_texts[index]);
                Interlocked.Increment(ref done);
            }
        })));
        return done;
    }
}
