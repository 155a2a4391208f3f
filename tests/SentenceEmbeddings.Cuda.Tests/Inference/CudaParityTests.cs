using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SentenceEmbeddings.Tests;

namespace SentenceEmbeddings.Cuda.Tests.Inference;

/// <summary>On a real NVIDIA GPU: the model runs on CUDA, and its vectors match the CPU's (cosine ≥ 0.9999).</summary>
[Trait("Category", "Gpu")]
public sealed class CudaParityTests
{
    private const double MinCosine = 0.9999;

    [GpuFact]
    public async Task UseCuda_MiniLM_RunsOnCudaAndMatchesTheCpu() =>
        await AssertParity(TestModels.MiniLM, ReferenceData.MiniLM);

    [GpuFact]
    public async Task UseCuda_ArcticXs_RunsOnCudaAndMatchesTheCpu() =>
        await AssertParity(TestModels.Arctic, ReferenceData.Arctic);

    [GpuFact]
    public async Task UseCuda_LargeMixedBatch_MatchesTheCpu()
    {
        // One call of many texts of many lengths: the CUDA batch budget (65,536 tokens, 512 texts) packs them into few runs.
        string[] texts = [.. Enumerable.Range(0, 600).Select(i => string.Join(' ', Enumerable.Repeat($"word{i % 37} sentence", 1 + (i % 90))))];
        using var gpu = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions().UseCuda(0, c => c.FallbackToCpu = false));
        using var cpu = new SentenceEmbeddingGenerator(TestModels.MiniLM);

        GeneratedEmbeddings<Embedding<float>> onGpu = await gpu.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> onCpu = await cpu.GenerateAsync(texts);

        double worst = Enumerable.Range(0, texts.Length).Min(i => VectorMath.Cosine(onGpu[i].Vector.Span, onCpu[i].Vector.Span));
        Assert.True(worst >= MinCosine, $"lowest cosine {worst:F6}");
    }

    private static async Task AssertParity(string model, ReferenceFile reference)
    {
        var logger = new FakeLogger();
        using var gpu = new SentenceEmbeddingGenerator(model, new SentenceEmbeddingGeneratorOptions().UseCuda(0, c => c.FallbackToCpu = false), logger);
        using var cpu = new SentenceEmbeddingGenerator(model);

        Assert.Equal(ExecutionProvider.Cuda, gpu.ExecutionProvider);
        Assert.Null(gpu.ExecutionProviderFallbackReason);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message.Contains("runs on CUDA device 0", StringComparison.Ordinal));

        string[] texts = [.. reference.Items.Select(i => i.Text)];
        GeneratedEmbeddings<Embedding<float>> onGpu = await gpu.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> onCpu = await cpu.GenerateAsync(texts);
        double worst = 1;
        for (int i = 0; i < texts.Length; i++)
        {
            double toCpu = VectorMath.Cosine(onGpu[i].Vector.Span, onCpu[i].Vector.Span);
            double toReference = VectorMath.Cosine(onGpu[i].Vector.Span, reference.Items[i].Embedding);
            Assert.True(toCpu >= MinCosine, $"{reference.Items[i].Id}: cosine to the CPU {toCpu:F6}");
            Assert.True(toReference >= MinCosine, $"{reference.Items[i].Id}: cosine to the reference {toReference:F6}");
            worst = Math.Min(worst, toCpu);
        }

        Console.WriteLine($"{Path.GetFileName(model)}: {texts.Length} texts, lowest cosine GPU vs CPU {worst:F6}");
    }
}
