using System.Text;
using BenchmarkDotNet.Attributes;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>The Unigram tokenizer on 1 MB of Chinese without a space: one Metaspace word, so one Viterbi lattice over the whole text.</summary>
[MemoryDiagnoser]
public class UnigramLongTextBenchmarks
{
    private readonly long[] _ids = new long[512];
    private SentenceTokenizer _tokenizer = null!;
    private string _text = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = SentenceTokenizer.Load(Corpus.Unigram, maxSequenceLength: 512);
        var builder = new StringBuilder(1 << 20);
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", "zh.txt"));
        for (int i = 0; builder.Length < (1 << 20); i++)
        {
            builder.Append(lines[i % lines.Length].Replace(" ", string.Empty, StringComparison.Ordinal));
        }

        _text = builder.ToString(0, 1 << 20);
    }

    /// <summary>Tokenizes the 1 MB text, truncated at 512 tokens.</summary>
    [Benchmark(Description = "1 MB zh, no spaces")]
    public int OneMegabyteChinese() => _tokenizer.Tokenize(_text, _ids, out _);
}
