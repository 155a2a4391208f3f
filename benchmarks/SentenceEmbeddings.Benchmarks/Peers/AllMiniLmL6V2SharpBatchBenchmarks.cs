using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using KsanmanEmbedder = AllMiniLmL6V2Sharp.AllMiniLmL6V2Embedder;
using KsanmanTokenizer = AllMiniLmL6V2Sharp.Tokenizer.BertTokenizer;

namespace SentenceEmbeddings.Benchmarks.Peers;

/// <summary>
/// AllMiniLmL6V2Sharp 0.0.3's batch call, <c>GenerateEmbeddings(sentences)</c>, as its README shows it for many
/// texts, beside this library (the baseline), on the short corpus only.
/// </summary>
/// <remarks>
/// <para>
/// Its vectors are wrong: its mean pooling misplaces the attention mask (OnnxExtensions.Expand), so every padded text
/// averages in padding positions. On the short corpus the cosine to the right vector (its own one-text call, or this
/// library) has median 0.80 and minimum 0.55, and 1,998 of 2,000 are under 0.99. <see cref="PeerBenchmarks"/> runs
/// its one-text call in a loop instead.
/// </para>
/// <para>
/// No long corpus: the whole corpus goes to ONNX Runtime as one 300 x 490-token batch, about 9 GB for one call; in a
/// dry run its benchmark process was stopped (SIGTERM) during its second call, with the run's largest process at
/// 18 GB of this machine's 24. The job attribute is overridden as described on <see cref="PeerBenchmarks"/>.
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class AllMiniLmL6V2SharpBatchBenchmarks
{
    private string[] _texts = null!;
    private SentenceEmbeddingGenerator _generator = null!;
    private KsanmanEmbedder _ksanman = null!;

    [Params("short")]
    public string CorpusName { get; set; } = "short";

    /// <summary>
    /// AllMiniLmL6V2Sharp ships no model. Its constructor takes the ONNX file path (default ./model/model.onnx) and a
    /// tokenizer, whose default reads ./model/vocab.txt relative to the working directory; both point at the extracted
    /// model folder here. truncate: true cuts texts to 512 tokens: without it a text over 512 tokens fails in ONNX
    /// Runtime (the model has 512 positions).
    /// </summary>
    public static KsanmanEmbedder CreateEmbedder() => new(
        modelPath: Path.Combine(Corpus.MiniLM, "onnx", "model.onnx"),
        tokenizer: new KsanmanTokenizer(Path.Combine(Corpus.MiniLM, "vocab.txt")),
        truncate: true);

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        _generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        _ksanman = CreateEmbedder();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _ksanman.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SentenceEmbeddings GenerateAsync")]
    public async Task<GeneratedEmbeddings<Embedding<float>>> SentenceEmbeddings() => await _generator.GenerateAsync(_texts);

    [Benchmark(Description = "AllMiniLmL6V2Sharp GenerateEmbeddings (batch, wrong vectors)")]
    public float[][] AllMiniLmL6V2SharpBatch()
    {
        // A float[][] typed as IEnumerable<IEnumerable<float>>, which BenchmarkDotNet refuses as a deferred result.
        IEnumerable<IEnumerable<float>> embeddings = _ksanman.GenerateEmbeddings(_texts);
        return embeddings as float[][] ?? [.. embeddings.Select(e => e.ToArray())];
    }
}
