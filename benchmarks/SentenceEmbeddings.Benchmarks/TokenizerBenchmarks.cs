using BenchmarkDotNet.Attributes;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>The tokenizer alone, one thread, the short corpus: tokens per second and allocations per pass.</summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private readonly long[] _ids = new long[512];
    private SentenceTokenizer _tokenizer = null!;
    private string[] _texts = null!;

    [Params("short", "zh")]
    public string CorpusName { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        _tokenizer = SentenceTokenizer.Load(Corpus.MiniLM);
    }

    /// <summary>Tokenizes the whole corpus; the result is the token count, so tokens/s = result / time.</summary>
    [Benchmark(Description = "WordPiece, whole corpus")]
    public long WholeCorpus()
    {
        long tokens = 0;
        foreach (string text in _texts)
        {
            tokens += _tokenizer.Tokenize(text, _ids, out _);
        }

        return tokens;
    }
}
