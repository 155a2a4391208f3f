using BenchmarkDotNet.Attributes;
using SentenceEmbeddings.Quantization;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>Whole-corpus throughput of all-MiniLM-L6-v2 fp32 beside the int8 file our quantizer makes, same corpus, same generator options.</summary>
[MemoryDiagnoser]
public class Int8Benchmarks
{
    private SentenceEmbeddingGenerator _fp32 = null!;
    private SentenceEmbeddingGenerator _int8 = null!;
    private string[] _texts = null!;

    [Params("short", "long")]
    public string CorpusName { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        string folder = QuantizedCopy();
        _fp32 = new SentenceEmbeddingGenerator(folder);
        _int8 = new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = "onnx/" + OnnxQuantizationOptions.DefaultOutputFileName });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fp32.Dispose();
        _int8.Dispose();
    }

    [Benchmark(Baseline = true, Description = "fp32 (onnx/model.onnx)")]
    public async Task<int> Fp32() => (await _fp32.GenerateAsync(_texts)).Count;

    [Benchmark(Description = "int8 (our quantizer, per-channel)")]
    public async Task<int> Quantized() => (await _int8.GenerateAsync(_texts)).Count;

    /// <summary>A copy of the model folder with the int8 file beside fp32, made once per build of the quantizer and kept in the temp folder for the next benchmark processes.</summary>
    internal static string QuantizedCopy()
    {
        // Keyed by the quantizer's build, so that a changed quantizer never benchmarks a stale file.
        string build = typeof(OnnxQuantizer).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
        string folder = Path.Combine(Path.GetTempPath(), "sentence-embeddings-bench-int8", build, "all-MiniLM-L6-v2");
        string int8 = Path.Combine(folder, "onnx", OnnxQuantizationOptions.DefaultOutputFileName);
        if (File.Exists(int8))
        {
            return folder;
        }

        foreach (string file in Directory.EnumerateFiles(Corpus.MiniLM, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(folder, Path.GetRelativePath(Corpus.MiniLM, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        OnnxQuantizationResult result = OnnxQuantizer.QuantizeAsync(folder).GetAwaiter().GetResult();
        Console.WriteLine($"// quantized {result.QuantizedNodeCount} nodes, mean cosine {result.MeanCosine:F5} to fp32 on the calibration sample");
        return folder;
    }
}
