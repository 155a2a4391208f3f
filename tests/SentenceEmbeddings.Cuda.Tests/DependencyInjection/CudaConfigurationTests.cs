using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SentenceEmbeddings.Tests;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Cuda.Tests.DependencyInjection;

/// <summary>The <c>ExecutionProvider</c> and <c>Cuda</c> keys of the <c>SentenceEmbeddings</c> section, per tier too, and <c>UseCuda</c>.</summary>
public sealed class CudaConfigurationTests
{
    [Fact]
    public void AddSentenceEmbeddings_CudaKeys_BindEveryKeyAndTierOverrides()
    {
        IConfiguration configuration = Json("""
            {
              "SentenceEmbeddings": {
                "ExecutionProvider": "Cuda",
                "Cuda": { "DeviceId": 1, "FallbackToCpu": false, "GpuMemoryLimitBytes": 8589934592, "CudnnConvAlgoSearch": "Heuristic",
                          "ArenaExtendStrategy": "SameAsRequested", "MaxBatchTokens": 32768, "MaxBatchSize": 128 },
                "Tiers": {
                  "fast": { "ExecutionProvider": "Cpu" },
                  "accurate": { "Cuda": { "DeviceId": 2 } }
                }
              }
            }
            """);

        SentenceEmbeddingsOptions options = Resolve(configuration);

        Assert.Equal(ExecutionProvider.Cuda, options.ExecutionProvider);
        Assert.Equal(1, options.Cuda.DeviceId);
        Assert.False(options.Cuda.FallbackToCpu);
        Assert.Equal(8_589_934_592L, options.Cuda.GpuMemoryLimitBytes);
        Assert.Equal(CudnnConvAlgoSearch.Heuristic, options.Cuda.CudnnConvAlgoSearch);
        Assert.Equal(CudaArenaExtendStrategy.SameAsRequested, options.Cuda.ArenaExtendStrategy);
        Assert.Equal(32_768, options.Cuda.MaxBatchTokens);
        Assert.Equal(128, options.Cuda.MaxBatchSize);
        Assert.Equal(ExecutionProvider.Cpu, options.Tiers["fast"].ExecutionProvider);
        Assert.Null(options.Tiers["fast"].Cuda);
        Assert.Null(options.Tiers["accurate"].ExecutionProvider);
        Assert.Equal(2, options.Tiers["accurate"].Cuda!.DeviceId);
        Assert.True(options.Tiers["accurate"].Cuda!.FallbackToCpu); // a tier's Cuda section replaces the top one as a whole
    }

    [Theory]
    [InlineData("""{"Cuda": {"DeviceId": -1}}""", "SentenceEmbeddings:Cuda:DeviceId is -1")]
    [InlineData("""{"Cuda": {"GpuMemoryLimitBytes": 0}}""", "SentenceEmbeddings:Cuda:GpuMemoryLimitBytes is 0")]
    [InlineData("""{"Cuda": {"MaxBatchTokens": 0}}""", "SentenceEmbeddings:Cuda:MaxBatchTokens is 0")]
    [InlineData("""{"Tiers": {"fast": {"Cuda": {"DeviceId": -2}}}}""", "SentenceEmbeddings:Tiers:fast:Cuda:DeviceId is -2")]
    [InlineData("""{"Tiers": {"fast": {"Cuda": {"MaxBatchSize": -1}}}}""", "SentenceEmbeddings:Tiers:fast:Cuda:MaxBatchSize is -1")]
    public void AddSentenceEmbeddings_BadCudaValue_FailsValidationNamingTheKey(string section, string expected)
    {
        IConfiguration configuration = Json($$"""{ "SentenceEmbeddings": {{section}} }""");

        OptionsValidationException exception = Assert.Throws<OptionsValidationException>(() => Resolve(configuration));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSentenceEmbeddings_UnknownProviderName_FailsNamingTheKeyAndTheAllowedNames()
    {
        IConfiguration configuration = Json("""{ "SentenceEmbeddings": { "ExecutionProvider": "Tpu" } }""");

        OptionsValidationException exception = Assert.Throws<OptionsValidationException>(() => Resolve(configuration));

        Assert.Equal(["SentenceEmbeddings:ExecutionProvider is 'Tpu'; it must be one of Cpu, Cuda."], exception.Failures);
    }

    [Fact]
    public void UseCuda_OnTheBuilder_OverridesTheConfiguredProvider()
    {
        IConfiguration configuration = Json("""{ "SentenceEmbeddings": { "ExecutionProvider": "Cpu", "Cuda": { "GpuMemoryLimitBytes": 1000 } } }""");
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(configuration.GetSection(SentenceEmbeddingsOptions.SectionName))
            .UseCuda(1, cuda => cuda.FallbackToCpu = false);
        using ServiceProvider provider = services.BuildServiceProvider();

        SentenceEmbeddingsOptions options = provider.GetRequiredService<IOptions<SentenceEmbeddingsOptions>>().Value;

        Assert.Equal(ExecutionProvider.Cuda, options.ExecutionProvider);
        Assert.Equal(1, options.Cuda.DeviceId);
        Assert.False(options.Cuda.FallbackToCpu);
        Assert.Equal(1000, options.Cuda.GpuMemoryLimitBytes);
    }

    [Fact]
    public void UseCuda_OnGeneratorOptions_SetsProviderAndDevice()
    {
        var options = new SentenceEmbeddingGeneratorOptions().UseCuda(3, cuda => cuda.GpuMemoryLimitBytes = 42);

        Assert.Equal(ExecutionProvider.Cuda, options.ExecutionProvider);
        Assert.Equal(3, options.Cuda.DeviceId);
        Assert.Equal(42, options.Cuda.GpuMemoryLimitBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGeneratorOptions().UseCuda(-1));
    }

    [NoGpuFact]
    public async Task Registry_TierOnCudaWithoutCuda_ReportsTheCpuAndWhyInLoadedModels()
    {
        var logger = new FakeLogger<EmbeddingTierRegistry>();
        var options = new SentenceEmbeddingsOptions { ExecutionProvider = ExecutionProvider.Cuda };
        options.Tiers["fast"] = new EmbeddingTierOptions { Path = TestModels.MiniLM };
        options.Tiers["mini-cpu"] = new EmbeddingTierOptions { ModelId = "mini-cpu", Path = TestModels.MiniLM, ExecutionProvider = ExecutionProvider.Cpu };
        using var registry = new EmbeddingTierRegistry(options, logger);

        LoadedModelInfo fast = await registry.LoadAsync("fast");
        LoadedModelInfo cpu = await registry.LoadAsync("mini-cpu");

        Assert.Equal(ExecutionProvider.Cpu, fast.ExecutionProvider);
        Assert.Contains(" is missing", fast.ExecutionProviderFallbackReason, StringComparison.Ordinal);
        Assert.Equal(ExecutionProvider.Cpu, cpu.ExecutionProvider);
        Assert.Null(cpu.ExecutionProviderFallbackReason);
        FakeLogRecord warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("sentence-transformers/all-MiniLM-L6-v2", warning.Message, StringComparison.Ordinal);
    }

    private static SentenceEmbeddingsOptions Resolve(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(configuration.GetSection(SentenceEmbeddingsOptions.SectionName));
        using ServiceProvider provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SentenceEmbeddingsOptions>>().Value;
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
}
