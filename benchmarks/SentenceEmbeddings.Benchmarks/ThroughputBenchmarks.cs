using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>Whole-corpus throughput: the library as a user calls it, beside a raw ONNX Runtime loop over pre-tokenized, length-sorted batches of 32.</summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private SentenceEmbeddingGenerator _generator = null!;
    private InferenceSession _session = null!;
    private string[] _texts = null!;
    private List<OrtValue[]> _rawBatches = null!;

    [Params("short", "long")]
    public string CorpusName { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        _generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        _session = new InferenceSession(Path.Combine(Corpus.MiniLM, "onnx", "model.onnx"));

        // The floor: tokens prepared in advance, batches of 32 sorted by length, only session.Run timed.
        long[][] tokens = [.. _texts.Select(_generator.Tokenizer.Tokenize).OrderByDescending(t => t.Length)];
        _rawBatches = [];
        for (int start = 0; start < tokens.Length; start += 32)
        {
            long[][] batch = tokens[start..Math.Min(start + 32, tokens.Length)];
            int length = batch.Max(t => t.Length);
            long[] ids = new long[batch.Length * length];
            long[] mask = new long[batch.Length * length];
            for (int row = 0; row < batch.Length; row++)
            {
                batch[row].CopyTo(ids, row * length);
                mask.AsSpan(row * length, batch[row].Length).Fill(1);
            }

            long[] shape = [batch.Length, length];
            _rawBatches.Add(
            [
                OrtValue.CreateTensorValueFromMemory(ids, shape),
                OrtValue.CreateTensorValueFromMemory(mask, shape),
                OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape),
            ]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _session.Dispose();
        foreach (OrtValue value in _rawBatches.SelectMany(b => b))
        {
            value.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "raw ONNX Runtime (session.Run only)")]
    public int RawOnnxRuntime()
    {
        string[] inputNames = ["input_ids", "attention_mask", "token_type_ids"];
        string[] outputNames = ["last_hidden_state"];
        using var runOptions = new RunOptions();
        int produced = 0;
        foreach (OrtValue[] batch in _rawBatches)
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, inputNames, batch, outputNames);
            produced += (int)outputs[0].GetTensorTypeAndShape().Shape[0];
        }

        return produced;
    }

    [Benchmark(Description = "SentenceEmbeddings GenerateAsync (whole corpus)")]
    public async Task<int> SentenceEmbeddings() => (await _generator.GenerateAsync(_texts)).Count;
}
