using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.Tiers;

/// <summary>Every engine key, bound from the <c>SentenceEmbeddings</c> section registry-wide and per tier, reaches the tier's generator options; a tier's value wins.</summary>
public sealed class EngineOptionsMergeTests
{
    [Theory]
    [InlineData("OnnxVariant", "Auto", "Fp32")]
    [InlineData("MaxSequenceLength", "128", "64")]
    [InlineData("MaxBatchTokens", "4096", "512")]
    [InlineData("MaxBatchSize", "32", "8")]
    [InlineData("MaxQueuedTexts", "1000", "10")]
    [InlineData("QueueFullMode", "Fail", "Wait")]
    [InlineData("MaxBatchDelay", "00:00:00.0050000", "00:00:00.0200000")]
    [InlineData("IntraOpNumThreads", "2", "1")]
    [InlineData("ThreadSpinning", "Always", "Never")]
    [InlineData("ExecutionProvider", "Cuda", "Cpu")]
    [InlineData("LongTextMode", "Chunk", "Error")]
    [InlineData("ChunkOverlapTokens", "16", "8")]
    [InlineData("MaxChunksPerText", "4", "2")]
    public void ForTier_KeySetRegistryWideAndOnATier_TheTierWinsAndOthersTakeTheRegistrysValue(string key, string registryValue, string tierValue)
    {
        SentenceEmbeddingsOptions options = Bind($$"""{"{{key}}": "{{registryValue}}", "Tiers": { "fast": { "{{key}}": "{{tierValue}}" } } }""");

        Assert.Equal(tierValue, Effective(options, "fast", key));
        Assert.Equal(registryValue, Effective(options, "balanced", key));
        Assert.Equal(Format(typeof(SentenceEmbeddingGeneratorOptions).GetProperty(key)!.GetValue(new SentenceEmbeddingGeneratorOptions())), Effective(Bind("{}"), "fast", key));
    }

    [Fact]
    public void EngineKeys_DefaultToUnset_OnTheRegistryAndOnATier()
    {
        string[] keys = [.. typeof(EmbeddingEngineOptions).GetProperties().Select(p => p.Name)];

        Assert.Equal(["MaxSequenceLength", "MaxBatchTokens", "MaxBatchSize", "MaxQueuedTexts", "QueueFullMode", "MaxBatchDelay", "IntraOpNumThreads", "ThreadSpinning", "LongTextMode", "ChunkOverlapTokens", "MaxChunksPerText"], keys);
        Assert.All(keys, key => Assert.Null(typeof(EmbeddingEngineOptions).GetProperty(key)!.GetValue(new SentenceEmbeddingsOptions())));
        Assert.All(keys, key => Assert.Null(typeof(EmbeddingEngineOptions).GetProperty(key)!.GetValue(new EmbeddingTierOptions())));
        Assert.Null(new EmbeddingTierOptions().PromptName);
    }

    [Fact]
    public void ForTier_PromptNameAndOnnxFile_ComeFromTheirTierOnly()
    {
        SentenceEmbeddingsOptions options = Bind("""{"Tiers": {"fast": {"PromptName": "query", "OnnxFile": "onnx/model_qint8_avx512_vnni.onnx"}}}""");

        Assert.Equal("query", Effective(options, "fast", "PromptName"));
        Assert.Equal("onnx/model_qint8_avx512_vnni.onnx", Effective(options, "fast", "OnnxFile"));
        Assert.Null(Effective(options, "balanced", "PromptName"));
        Assert.Null(Effective(options, "balanced", "OnnxFile"));
    }

    [Fact]
    public void ForTier_TiersCudaSection_ReplacesTheRegistrysAsAWhole()
    {
        SentenceEmbeddingsOptions options = Bind("""{"Cuda": {"DeviceId": 1, "MaxBatchSize": 100}, "Tiers": {"fast": {"Cuda": {"DeviceId": 2}}}}""");

        CudaOptions fast = EngineOptionsMerge.ForTier(Tier(options, "fast"), options).Cuda;
        CudaOptions balanced = EngineOptionsMerge.ForTier(Tier(options, "balanced"), options).Cuda;

        Assert.Equal((2, 512), (fast.DeviceId, fast.MaxBatchSize));
        Assert.Equal((1, 100), (balanced.DeviceId, balanced.MaxBatchSize));
    }

    [Fact]
    public void ForTier_ModelId_IsTheTiers()
    {
        SentenceEmbeddingsOptions options = Bind("""{"Tiers": {"jobs": {"ModelId": "my-org/jobs", "MaxBatchSize": "5"}}}""");

        SentenceEmbeddingGeneratorOptions jobs = EngineOptionsMerge.ForTier(Tier(options, "jobs"), options);

        Assert.Equal(("my-org/jobs", 5), (jobs.ModelId, jobs.MaxBatchSize));
    }

    [Fact]
    public async Task LoadAsync_TierAndRegistryKeys_TakeEffectOnTheLoadedGenerator()
    {
        using var store = new TempDirectory();
        ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "sentence-transformers", "all-MiniLM-L6-v2"));
        SentenceEmbeddingsOptions options = Bind($$"""
            {"ModelsPath": "{{store.Path}}", "HuggingFaceHubCache": "{{store.Path}}/hub", "MaxSequenceLength": 16, "MaxBatchTokens": 999,
             "Tiers": {"fast": {"MaxBatchSize": 3, "QueueFullMode": "Fail", "MaxQueuedTexts": 7 } } }
            """);
        using var registry = new EmbeddingTierRegistry(options);

        using ModelLease lease = await registry.AcquireAsync(registry.GetTier("fast"), CancellationToken.None);
        SentenceEmbeddingGenerator generator = lease.Model.Generator;
        var embedding = (await generator.GenerateAsync([string.Join(' ', Enumerable.Repeat("word", 100))]))[0];

        Assert.Equal(16, generator.MaxSequenceLength);
        Assert.Equal(16, embedding.AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
        Assert.Equal((999, 3, 7, QueueFullMode.Fail), (generator.Options.MaxBatchTokens, generator.Options.MaxBatchSize, generator.Options.MaxQueuedTexts, generator.Options.QueueFullMode));
    }

    [Fact]
    public void Constructor_BadKeyInCode_ThrowsOptionsValidationExceptionNamingTheKey()
    {
        var options = new SentenceEmbeddingsOptions { MaxBatchTokens = 0 };
        options.Tiers["fast"] = new EmbeddingTierOptions { MaxQueuedTexts = -1 };

        var exception = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new EmbeddingTierRegistry(options));

        Assert.Contains(exception.Failures, f => f.StartsWith("SentenceEmbeddings:MaxBatchTokens is 0", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, f => f.StartsWith("SentenceEmbeddings:Tiers:fast:MaxQueuedTexts is -1", StringComparison.Ordinal));
    }

    private static SentenceEmbeddingsOptions Bind(string json)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var options = new SentenceEmbeddingsOptions();
        configuration.Bind(options);
        return options;
    }

    private static EmbeddingTier Tier(SentenceEmbeddingsOptions options, string name) => options.BuildTiers().Single(t => t.Name == name);

    private static string? Effective(SentenceEmbeddingsOptions options, string tier, string key) =>
        Format(typeof(SentenceEmbeddingGeneratorOptions).GetProperty(key)!.GetValue(EngineOptionsMerge.ForTier(Tier(options, tier), options)));

    private static string? Format(object? value) => value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
}
