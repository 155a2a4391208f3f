using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings.Tests.Inference;

/// <summary>This project references only the core package: it runs the CPU build of ONNX Runtime, and CUDA asked for here says how to get it.</summary>
public sealed class ExecutionProviderTests
{
    [Fact]
    public void Output_LibOnnxRuntime_IsTheCpuPackagesFile()
    {
        const string Native = "runtimes/linux-x64/native/libonnxruntime.so";
        string Metadata(string key) => typeof(ExecutionProviderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        string package = Path.Combine(Metadata("NuGetPackageRoot"), "microsoft.ml.onnxruntime", Metadata("OnnxRuntimeVersion"), Native);

        Assert.Equal(Sha256(package), Sha256(Path.Combine(AppContext.BaseDirectory, Native)));
        Assert.DoesNotContain("CUDAExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
    }

    [Fact]
    public async Task Cuda_WithTheCpuBuild_FallsBackSayingWhichPackageToAdd()
    {
        var logger = new FakeLogger();
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { ExecutionProvider = ExecutionProvider.Cuda }, logger);

        Assert.Equal(ExecutionProvider.Cpu, generator.ExecutionProvider);
        Assert.Contains("CPU build of ONNX Runtime", generator.ExecutionProviderFallbackReason, StringComparison.Ordinal);
        FakeLogRecord warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Contains("add the SentenceEmbeddings.Cuda package", warning.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not Microsoft.ML.OnnxRuntime", warning.Message, StringComparison.Ordinal);

        Embedding<float> embedding = await generator.GenerateAsync(ReferenceData.MiniLM.Items[0].Text);
        Assert.True(VectorMath.Cosine(embedding.Vector.Span, ReferenceData.MiniLM.Items[0].Embedding) >= 0.99999);
    }

    [Fact]
    public void Cuda_WithTheCpuBuildAndNoFallback_Throws()
    {
        var options = new SentenceEmbeddingGeneratorOptions { ExecutionProvider = ExecutionProvider.Cuda, Cuda = { FallbackToCpu = false } };

        ExecutionProviderUnavailableException exception = Assert.Throws<ExecutionProviderUnavailableException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, options));

        Assert.Contains("SentenceEmbeddings.Cuda", exception.Message, StringComparison.Ordinal);
    }

    private static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
