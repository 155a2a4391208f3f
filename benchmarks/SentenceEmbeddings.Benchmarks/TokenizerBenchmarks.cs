using BenchmarkDotNet.Attributes;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>The tokenizers alone, one thread, a whole corpus per operation: tokens per second and allocations per pass.</summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private readonly long[] _ids = new long[512];
    private SentenceTokenizer _tokenizer = null!;
    private string[] _texts = null!;

    [Params("short", "zh")]
    public string CorpusName { get; set; } = "short";

    /// <summary>Gets or sets the tokenizer: MiniLM's WordPiece, or the test XLM-R-style Unigram tokenizer.json.</summary>
    [Params("WordPiece", "Unigram")]
    public string Tokenizer { get; set; } = "WordPiece";

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        _tokenizer = SentenceTokenizer.Load(Tokenizer == "Unigram" ? Corpus.Unigram : Corpus.MiniLM, maxSequenceLength: 256);
    }

    /// <summary>Tokenizes the whole corpus; the result is the token count, so tokens/s = result / time.</summary>
    [Benchmark(Description = "whole corpus")]
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
