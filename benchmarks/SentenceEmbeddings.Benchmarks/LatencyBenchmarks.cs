using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>One short sentence, one call: the latency a request handler sees (median and P99 columns), beside session.Run alone on the same file (the floor), fp32 and our int8 file.</summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class LatencyBenchmarks
{
    private const string Sentence = "A man is playing a guitar on the street.";
    private SentenceEmbeddingGenerator _generator = null!;
    private RawSentenceSession _raw = null!;

    /// <summary>Gets or sets the ONNX file: fp32 (<c>onnx/model.onnx</c>) or int8 (the <c>sentence-embeddings quantize</c> default).</summary>
    [Params("fp32", "int8")]
    public string Model { get; set; } = "fp32";

    [GlobalSetup]
    public void Setup()
    {
        _generator = Model == "int8"
            ? new SentenceEmbeddingGenerator(Int8Benchmarks.QuantizedCopy(), new SentenceEmbeddingGeneratorOptions { OnnxFile = Int8Benchmarks.VariantFile(AttentionQuantization.Flash) })
            : new SentenceEmbeddingGenerator(Corpus.MiniLM);
        _raw = new RawSentenceSession(_generator.OnnxPath, _generator.Tokenizer.Tokenize(Sentence));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _raw.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw ONNX Runtime session.Run (pre-tokenized)")]
    public int RawOnnxRuntime() => _raw.Run();

    [Benchmark(Description = "GenerateVectorAsync, one short sentence")]
    public async Task<int> OneSentence() => (await _generator.GenerateVectorAsync(Sentence)).Length;
}
