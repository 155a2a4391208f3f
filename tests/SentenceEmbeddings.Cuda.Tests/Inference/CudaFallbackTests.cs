using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SentenceEmbeddings.Tests;

namespace SentenceEmbeddings.Cuda.Tests.Inference;

/// <summary>CUDA asked for on a machine without CUDA: the GPU build of ONNX Runtime is there, its CUDA libraries are not.</summary>
public sealed partial class CudaFallbackTests
{
    [NoGpuFact]
    public async Task UseCuda_WithoutCudaLibraries_EmbedsOnTheCpuWithOneWarningNamingTheLibrary()
    {
        var logger = new FakeLogger();
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions().UseCuda(), logger);
        using var cpu = new SentenceEmbeddingGenerator(TestModels.MiniLM);

        Assert.Equal(ExecutionProvider.Cpu, generator.ExecutionProvider);
        string reason = Assert.IsType<string>(generator.ExecutionProviderFallbackReason);
        string library = MissingLibrary().Match(reason).Groups["library"].Value;
        Assert.StartsWith("lib", library, StringComparison.Ordinal);
        Assert.Contains("CUDA 13", reason, StringComparison.Ordinal);

        FakeLogRecord warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(library, warning.Message, StringComparison.Ordinal);
        Assert.Contains("runs on the CPU", warning.Message, StringComparison.Ordinal);

        IReadOnlyList<ReferenceItem> items = ReferenceData.MiniLM.Items;
        GeneratedEmbeddings<Embedding<float>> fallback = await generator.GenerateAsync(items.Select(i => i.Text));
        GeneratedEmbeddings<Embedding<float>> expected = await cpu.GenerateAsync(items.Select(i => i.Text));
        for (int i = 0; i < items.Count; i++)
        {
            Assert.True(VectorMath.Cosine(fallback[i].Vector.Span, expected[i].Vector.Span) >= 0.99999, items[i].Id);
            Assert.True(VectorMath.Cosine(fallback[i].Vector.Span, items[i].Embedding) >= 0.99999, items[i].Id);
        }
    }

    [NoGpuFact]
    public void UseCuda_FallbackToCpuFalse_ThrowsNamingTheMissingLibrary()
    {
        var logger = new FakeLogger();
        ExecutionProviderUnavailableException exception = Assert.Throws<ExecutionProviderUnavailableException>(
            () => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions().UseCuda(0, cuda => cuda.FallbackToCpu = false), logger));

        Assert.Equal(ExecutionProvider.Cuda, exception.ExecutionProvider);
        Assert.Matches(MissingLibrary(), exception.Message);
        Assert.Contains("FallbackToCpu", exception.Message, StringComparison.Ordinal);
        Assert.NotNull(exception.InnerException);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [NoGpuFact]
    public void UseCuda_FallbackToCpuFalse_BadModelFile_ThrowsInvalidModelFile()
    {
        // A file that is no model fails on the CPU too: that, not CUDA, is the error to report.
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);
        folder.Write("onnx/model.onnx", "not an onnx model");

        Assert.Throws<InvalidModelFileException>(
            () => new SentenceEmbeddingGenerator(folder.Path, new SentenceEmbeddingGeneratorOptions().UseCuda(0, cuda => cuda.FallbackToCpu = false)));
    }

    [Fact]
    public void UseCpu_RunsOnTheCpuWithoutAReason()
    {
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM);

        Assert.Equal(ExecutionProvider.Cpu, generator.ExecutionProvider);
        Assert.Null(generator.ExecutionProviderFallbackReason);
    }

    [GeneratedRegex(@"(?<library>lib[\w.+-]+\.so\.\d+) is missing")]
    private static partial Regex MissingLibrary();
}
