using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>One short sentence, one call: the latency a request handler sees (median and P99 columns), beside session.Run alone on the same file (the floor), fp32 and our int8 file.</summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class LatencyBenchmarks
{
    private const string Sentence = "A man is playing a guitar on the street.";
    private SentenceEmbeddingGenerator _generator = null!;
    private InferenceSession _session = null!;
    private OrtValue[] _inputs = null!;

    /// <summary>Gets or sets the ONNX file: fp32 (<c>onnx/model.onnx</c>) or int8 (the <c>sentence-embeddings quantize</c> default).</summary>
    [Params("fp32", "int8")]
    public string Model { get; set; } = "fp32";

    [GlobalSetup]
    public void Setup()
    {
        _generator = Model == "int8"
            ? new SentenceEmbeddingGenerator(Int8Benchmarks.QuantizedCopy(), new SentenceEmbeddingGeneratorOptions { OnnxFile = Int8Benchmarks.VariantFile(AttentionQuantization.QAttention) })
            : new SentenceEmbeddingGenerator(Corpus.MiniLM);
        _session = new InferenceSession(_generator.OnnxPath);
        long[] ids = _generator.Tokenizer.Tokenize(Sentence);
        long[] shape = [1, ids.Length];
        long[] mask = [.. ids.Select(_ => 1L)];
        _inputs = [OrtValue.CreateTensorValueFromMemory(ids, shape), OrtValue.CreateTensorValueFromMemory(mask, shape), OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _session.Dispose();
        foreach (OrtValue input in _inputs)
        {
            input.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "raw ONNX Runtime session.Run (pre-tokenized)")]
    public int RawOnnxRuntime()
    {
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], _inputs, ["last_hidden_state"]);
        return (int)outputs[0].GetTensorTypeAndShape().Shape[1];
    }

    [Benchmark(Description = "GenerateVectorAsync, one short sentence")]
    public async Task<int> OneSentence() => (await _generator.GenerateVectorAsync(Sentence)).Length;
}
