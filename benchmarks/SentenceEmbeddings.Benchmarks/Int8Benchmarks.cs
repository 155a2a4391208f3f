using BenchmarkDotNet.Attributes;
using SentenceEmbeddings.Quantization;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>Whole-corpus throughput of all-MiniLM-L6-v2 fp32 beside the int8 file our quantizer makes, same corpus, same generator options.</summary>
[MemoryDiagnoser]
public class Int8Benchmarks
{
    private SentenceEmbeddingGenerator _fp32 = null!;
    private SentenceEmbeddingGenerator _int8 = null!;
    private SentenceEmbeddingGenerator _qattention = null!;
    private SentenceEmbeddingGenerator _fusedFp32 = null!;
    private SentenceEmbeddingGenerator _unfused = null!;
    private string[] _texts = null!;

    [Params("short", "long")]
    public string CorpusName { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Load(CorpusName);
        string folder = QuantizedCopy();
        _fp32 = new SentenceEmbeddingGenerator(folder);
        _int8 = new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = VariantFile(AttentionQuantization.Flash) });
        _qattention = new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = VariantFile(AttentionQuantization.QAttention) });
        _fusedFp32 = new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = VariantFile(AttentionQuantization.FusedFp32) });
        _unfused = new SentenceEmbeddingGenerator(folder, new SentenceEmbeddingGeneratorOptions { OnnxFile = VariantFile(AttentionQuantization.Unfused) });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fp32.Dispose();
        _int8.Dispose();
        _qattention.Dispose();
        _fusedFp32.Dispose();
        _unfused.Dispose();
    }

    [Benchmark(Baseline = true, Description = "fp32 (onnx/model.onnx)")]
    public async Task<int> Fp32() => (await _fp32.GenerateAsync(_texts)).Count;

    [Benchmark(Description = "int8 Flash: MultiHeadAttention without padding (quantize default)")]
    public async Task<int> Quantized() => (await _int8.GenerateAsync(_texts)).Count;

    [Benchmark(Description = "int8 QAttention (--attention QAttention)")]
    public async Task<int> QuantizedQAttention() => (await _qattention.GenerateAsync(_texts)).Count;

    [Benchmark(Description = "int8 around fused fp32 Attention (--attention FusedFp32)")]
    public async Task<int> QuantizedFusedFp32() => (await _fusedFp32.GenerateAsync(_texts)).Count;

    [Benchmark(Description = "int8 MatMul-only rewrite, attention unfused (--attention Unfused)")]
    public async Task<int> QuantizedUnfused() => (await _unfused.GenerateAsync(_texts)).Count;

    /// <summary>The int8 file of one attention choice in the copy <see cref="QuantizedCopy"/> makes, relative to the folder.</summary>
    internal static string VariantFile(AttentionQuantization attention) => attention == new OnnxQuantizationOptions().Attention
        ? "onnx/" + OnnxQuantizationOptions.DefaultOutputFileName
        : $"onnx/model_int8_{attention.ToString().ToLowerInvariant()}.onnx";

    /// <summary>A copy of the model folder with the int8 files (one per <see cref="AttentionQuantization"/>) beside fp32, made once per build of the quantizer and kept in the temp folder for the next benchmark processes.</summary>
    internal static string QuantizedCopy()
    {
        // Keyed by the quantizer's build, so that a changed quantizer never benchmarks a stale file.
        string build = typeof(OnnxQuantizer).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];
        string folder = Path.Combine(Path.GetTempPath(), "sentence-embeddings-bench-int8", build, "all-MiniLM-L6-v2");
        string last = Path.Combine(folder, VariantFile(Enum.GetValues<AttentionQuantization>()[^1]));
        if (File.Exists(last))
        {
            return folder;
        }

        foreach (string file in Directory.EnumerateFiles(Corpus.MiniLM, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(folder, Path.GetRelativePath(Corpus.MiniLM, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        foreach (AttentionQuantization attention in Enum.GetValues<AttentionQuantization>())
        {
            OnnxQuantizationResult result = OnnxQuantizer.QuantizeAsync(folder, new OnnxQuantizationOptions { Attention = attention, OutputFile = VariantFile(attention), Overwrite = true }).GetAwaiter().GetResult();
            Console.WriteLine($"// {attention}: quantized {result.QuantizedNodeCount} nodes, mean cosine {result.MeanCosine:F5} to fp32 on the calibration sample");
        }

        return folder;
    }
}
