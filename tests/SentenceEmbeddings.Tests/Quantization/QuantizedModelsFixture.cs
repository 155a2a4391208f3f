using SentenceEmbeddings.Quantization;

namespace SentenceEmbeddings.Tests.Quantization;

/// <summary>all-MiniLM-L6-v2 and arctic-embed-xs quantized once per test run by our quantizer, each in a temp copy of its folder.</summary>
public sealed class QuantizedModelsFixture : IDisposable
{
    private readonly TempDirectory _miniLMFolder = TestModels.CopyOf(TestModels.MiniLM);
    private readonly TempDirectory _arcticFolder = TestModels.CopyOf(TestModels.Arctic);

    public QuantizedModelsFixture()
    {
        MiniLMResult = OnnxQuantizer.QuantizeAsync(_miniLMFolder.Path).GetAwaiter().GetResult();
        ArcticResult = OnnxQuantizer.QuantizeAsync(_arcticFolder.Path).GetAwaiter().GetResult();
        MiniLM = new SentenceEmbeddingGenerator(_miniLMFolder.Path, new SentenceEmbeddingGeneratorOptions { OnnxFile = MiniLMResult.OutputPath });
        Arctic = new SentenceEmbeddingGenerator(_arcticFolder.Path, new SentenceEmbeddingGeneratorOptions { OnnxFile = ArcticResult.OutputPath });
    }

    public string MiniLMFolder => _miniLMFolder.Path;

    public OnnxQuantizationResult MiniLMResult { get; }

    public OnnxQuantizationResult ArcticResult { get; }

    /// <summary>Gets a generator running the int8 all-MiniLM-L6-v2.</summary>
    public SentenceEmbeddingGenerator MiniLM { get; }

    /// <summary>Gets a generator running the int8 arctic-embed-xs.</summary>
    public SentenceEmbeddingGenerator Arctic { get; }

    public void Dispose()
    {
        MiniLM.Dispose();
        Arctic.Dispose();
        _miniLMFolder.Dispose();
        _arcticFolder.Dispose();
    }
}
