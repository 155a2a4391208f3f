using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SentenceEmbeddings.Tests.Tiers;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.DependencyInjection;

public sealed class AddSentenceEmbeddingsTests
{
    [Fact]
    public void AddSentenceEmbeddings_ReadmeJson_BindsEveryKey()
    {
        using var store = new TempDirectory();
        string jobs = ModelLayouts.LinkModel(TestModels.Arctic, Path.Combine(store.Path, "job-matcher"));
        IConfiguration configuration = Json($$"""
            {
              "SentenceEmbeddings": {
                "DefaultTier": "fast",
                "ModelsPath": "/app/models",
                "Preload": [ "fast" ],
                "MaxLoadedModels": 3,
                "MaxMemoryBytes": 3221225472,
                "OnnxVariant": "Auto",
                "Tiers": {
                  "fast":  { "ModelId": "sentence-transformers/all-MiniLM-L6-v2" },
                  "jobs":  { "ModelId": "my-org/job-matcher", "Path": "{{jobs}}", "OnnxFile": "onnx/model.onnx", "OnnxVariant": "Fp32" }
                }
              }
            }
            """);
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(configuration.GetSection(SentenceEmbeddingsOptions.SectionName));
        using ServiceProvider provider = services.BuildServiceProvider();

        SentenceEmbeddingsOptions options = provider.GetRequiredService<IOptions<SentenceEmbeddingsOptions>>().Value;
        Assert.Equal("fast", options.DefaultTier);
        Assert.Equal("/app/models", options.ModelsPath);
        Assert.Equal(["fast"], options.Preload);
        Assert.Equal(3, options.MaxLoadedModels);
        Assert.Equal(3221225472L, options.MaxMemoryBytes);
        Assert.Equal("my-org/job-matcher", options.Tiers["jobs"].ModelId);
        Assert.Equal(jobs, options.Tiers["jobs"].Path);
        Assert.Equal("onnx/model.onnx", options.Tiers["jobs"].OnnxFile);
        Assert.Equal(OnnxVariant.Auto, options.OnnxVariant);
        Assert.Equal(OnnxVariant.Fp32, options.Tiers["jobs"].OnnxVariant);
        Assert.Null(options.Tiers["fast"].OnnxVariant);

        EmbeddingTierRegistry registry = provider.GetRequiredService<EmbeddingTierRegistry>();
        Assert.Equal(["fast", "balanced", "accurate", "multilingual", "jobs"], registry.Tiers.Select(t => t.Name));
        Assert.NotNull(provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("jobs"));
    }

    [Theory]
    [InlineData("""{"DefaultTier": "turbo"}""", "SentenceEmbeddings:DefaultTier 'turbo' is not a tier")]
    [InlineData("""{"Tiers": {"jobs": {"ModelId": ""}}}""", "SentenceEmbeddings:Tiers:jobs:ModelId is empty")]
    [InlineData("""{"MaxMemoryBytes": -1}""", "SentenceEmbeddings:MaxMemoryBytes is -1")]
    [InlineData("""{"MaxLoadedModels": 0}""", "SentenceEmbeddings:MaxLoadedModels is 0")]
    [InlineData("""{"Tiers": {"jobs": {"ModelId": "my-org/jobs", "Path": "/no/such/folder"}}}""", "SentenceEmbeddings:Tiers:jobs:Path '/no/such/folder' does not exist")]
    [InlineData("""{"Preload": ["fast", "turbo"]}""", "SentenceEmbeddings:Preload:1 'turbo' is not a tier")]
    [InlineData("""{"OnnxVariant": "7"}""", "SentenceEmbeddings:OnnxVariant is 7; it must be Fp32 or Auto")]
    [InlineData("""{"Tiers": {"fast": {"OnnxVariant": "9"}}}""", "SentenceEmbeddings:Tiers:fast:OnnxVariant is 9; it must be Fp32 or Auto")]
    [InlineData("""{"MaxSequenceLength": 1}""", "SentenceEmbeddings:MaxSequenceLength is 1")]
    [InlineData("""{"Tiers": {"fast": {"MaxSequenceLength": 1}}}""", "SentenceEmbeddings:Tiers:fast:MaxSequenceLength is 1")]
    [InlineData("""{"MaxBatchTokens": 0}""", "SentenceEmbeddings:MaxBatchTokens is 0")]
    [InlineData("""{"Tiers": {"fast": {"MaxBatchTokens": 0}}}""", "SentenceEmbeddings:Tiers:fast:MaxBatchTokens is 0")]
    [InlineData("""{"MaxBatchSize": 0}""", "SentenceEmbeddings:MaxBatchSize is 0")]
    [InlineData("""{"Tiers": {"accurate": {"MaxBatchSize": -3}}}""", "SentenceEmbeddings:Tiers:accurate:MaxBatchSize is -3")]
    [InlineData("""{"MaxQueuedTexts": 0}""", "SentenceEmbeddings:MaxQueuedTexts is 0")]
    [InlineData("""{"Tiers": {"fast": {"MaxQueuedTexts": 0}}}""", "SentenceEmbeddings:Tiers:fast:MaxQueuedTexts is 0")]
    [InlineData("""{"QueueFullMode": "7"}""", "SentenceEmbeddings:QueueFullMode is 7; it must be Wait or Fail")]
    [InlineData("""{"Tiers": {"fast": {"QueueFullMode": "8"}}}""", "SentenceEmbeddings:Tiers:fast:QueueFullMode is 8")]
    [InlineData("""{"MaxBatchDelay": "00:00:02"}""", "SentenceEmbeddings:MaxBatchDelay is 00:00:02")]
    [InlineData("""{"Tiers": {"fast": {"MaxBatchDelay": "-00:00:01"}}}""", "SentenceEmbeddings:Tiers:fast:MaxBatchDelay is -00:00:01")]
    [InlineData("""{"IntraOpNumThreads": -1}""", "SentenceEmbeddings:IntraOpNumThreads is -1")]
    [InlineData("""{"Tiers": {"fast": {"IntraOpNumThreads": -2}}}""", "SentenceEmbeddings:Tiers:fast:IntraOpNumThreads is -2")]
    [InlineData("""{"ThreadSpinning": "3"}""", "SentenceEmbeddings:ThreadSpinning is 3; it must be DuringRuns, Never or Always")]
    [InlineData("""{"Tiers": {"fast": {"ThreadSpinning": "-1"}}}""", "SentenceEmbeddings:Tiers:fast:ThreadSpinning is -1")]
    [InlineData("""{"ExecutionProvider": "5"}""", "SentenceEmbeddings:ExecutionProvider is 5; it must be Cpu or Cuda")]
    [InlineData("""{"Tiers": {"fast": {"ExecutionProvider": "5"}}}""", "SentenceEmbeddings:Tiers:fast:ExecutionProvider is 5")]
    [InlineData("""{"Cuda": {"MaxBatchTokens": 0}}""", "SentenceEmbeddings:Cuda:MaxBatchTokens is 0")]
    [InlineData("""{"Tiers": {"fast": {"Cuda": {"DeviceId": -1}}}}""", "SentenceEmbeddings:Tiers:fast:Cuda:DeviceId is -1")]
    [InlineData("""{"LongTextMode": "7"}""", "SentenceEmbeddings:LongTextMode is 7; it must be Truncate, Chunk or Error")]
    [InlineData("""{"ChunkOverlapTokens": -3}""", "SentenceEmbeddings:ChunkOverlapTokens is -3")]
    [InlineData("""{"MaxChunksPerText": 0}""", "SentenceEmbeddings:MaxChunksPerText is 0")]
    [InlineData("""{"Tiers": {"fast": {"MaxSequenceLength": 128, "ChunkOverlapTokens": 126}}}""", "SentenceEmbeddings:Tiers:fast:ChunkOverlapTokens is 126; it must be smaller than the window")]
    [InlineData("""{"Tiers": {"fast": {"LongTextMode": "5", "MaxChunksPerText": -1}}}""", "SentenceEmbeddings:Tiers:fast:LongTextMode is 5")]
    public async Task StartAsync_BadConfiguration_FailsWithTheKeyInTheMessage(string section, string expected)
    {
        using IHost host = Host(Json($$"""{"SentenceEmbeddings": {{section}} }"""));

        OptionsValidationException exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"LongTextMode": "paragraphs"}""", "SentenceEmbeddings:LongTextMode is 'paragraphs'; it must be one of Truncate, Chunk, Error.")]
    [InlineData("""{"Tiers": {"fast": {"LongTextMode": "paragraphs"}}}""", "SentenceEmbeddings:Tiers:fast:LongTextMode is 'paragraphs'; it must be one of Truncate, Chunk, Error.")]
    [InlineData("""{"QueueFullMode": "sometimes"}""", "SentenceEmbeddings:QueueFullMode is 'sometimes'; it must be one of Wait, Fail.")]
    [InlineData("""{"Tiers": {"fast": {"ThreadSpinning": "true"}}}""", "SentenceEmbeddings:Tiers:fast:ThreadSpinning is 'true'; it must be one of DuringRuns, Never, Always.")]
    [InlineData("""{"Tiers": {"fast": {"ExecutionProvider": "tpu"}}}""", "SentenceEmbeddings:Tiers:fast:ExecutionProvider is 'tpu'; it must be one of Cpu, Cuda.")]
    public void AddSentenceEmbeddings_UnknownEnumName_FailsNamingTheKeyTheValueAndTheAllowedNames(string section, string expected)
    {
        // Checked before the section is bound (AddSentenceEmbeddings binds it once for the tier names): the binder's own error names no allowed values.
        OptionsValidationException exception = Assert.Throws<OptionsValidationException>(() => Host(Json($$"""{"SentenceEmbeddings": {{section}} }""")).Dispose());

        Assert.Equal([expected], exception.Failures);
    }

    [Fact]
    public void AddSentenceEmbeddings_EnumNamesInAnyCase_Bind()
    {
        using IHost host = Host(Json("""{"SentenceEmbeddings": {"LongTextMode": "chunk", "Tiers": {"fast": {"QueueFullMode": "FAIL"}}}}"""));

        SentenceEmbeddingsOptions options = host.Services.GetRequiredService<IOptions<SentenceEmbeddingsOptions>>().Value;
        Assert.Equal(LongTextMode.Chunk, options.LongTextMode);
        Assert.Equal(QueueFullMode.Fail, options.Tiers["fast"].QueueFullMode);
    }

    [Fact]
    public async Task StartAsync_Preload_LoadsAndWarmsUp()
    {
        using var store = new TempDirectory();
        ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "sentence-transformers", "all-MiniLM-L6-v2"));
        using IHost host = Host(Json($$"""{"SentenceEmbeddings": {"ModelsPath": "{{store.Path}}", "HuggingFaceHubCache": "{{store.Path}}/hub", "Preload": ["fast"] } }"""));

        await host.StartAsync();

        EmbeddingTierRegistry registry = host.Services.GetRequiredService<EmbeddingTierRegistry>();
        Assert.Equal(["fast"], registry.LoadedModels.Select(m => m.Tier));
        await host.StopAsync();
    }

    [Fact]
    public async Task GetService_DefaultAndKeyed_EmbedWithTheirTiers()
    {
        using ServiceProvider provider = TwoTierServices(out _).BuildServiceProvider();

        var defaultGenerator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var fast = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast");
        var arctic = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("arctic");

        Embedding<float> a = (await defaultGenerator.GenerateAsync(["hello"]))[0];
        Embedding<float> b = (await fast.GenerateAsync(["hello"]))[0];
        Embedding<float> c = (await arctic.GenerateAsync(["hello"]))[0];

        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", a.ModelId);
        Assert.Equal(a.Vector.ToArray(), b.Vector.ToArray());
        Assert.Equal("Snowflake/snowflake-arctic-embed-xs", c.ModelId);
        Assert.True(VectorMath.Cosine(a.Vector.Span, c.Vector.Span) < 0.99);
        await Assert.ThrowsAsync<ArgumentException>(() => defaultGenerator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "turbo" }));
    }

    [Fact]
    public async Task UseDistributedCache_InFrontOfTwoTiers_KeepsTheirVectorsApart()
    {
        ServiceCollection services = TwoTierServices(out SentenceEmbeddings.SentenceEmbeddingsBuilder builder);
        services.AddDistributedMemoryCache();
        builder.ConfigureGenerators(b => b.UseDistributedCache());
        using ServiceProvider provider = services.BuildServiceProvider();
        var fast = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast");
        var arctic = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("arctic");

        ReadOnlyMemory<float> fromFast = await fast.GenerateVectorAsync("the same text");
        ReadOnlyMemory<float> fromArctic = await arctic.GenerateVectorAsync("the same text");
        ReadOnlyMemory<float> fastAgain = await fast.GenerateVectorAsync("the same text");

        Assert.True(VectorMath.Cosine(fromFast.Span, fromArctic.Span) < 0.99, "the arctic tier returned the fast tier's cached vector");
        Assert.Equal(fromFast.ToArray(), fastAgain.ToArray());
    }

    [Fact]
    public async Task UseOpenTelemetry_ReportsInputTokenUsage()
    {
        ServiceCollection services = TwoTierServices(out SentenceEmbeddings.SentenceEmbeddingsBuilder builder);
        string sourceName = "test-" + Guid.NewGuid().ToString("N");
        builder.ConfigureGenerators(b => b.UseOpenTelemetry(sourceName: sourceName));
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(["hello world", "a b c"]);

        Activity activity = Assert.Single(activities);
        Assert.Equal(9, Convert.ToInt32(activity.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", activity.GetTagItem("gen_ai.response.model"));
    }

    private static ServiceCollection TwoTierServices(out SentenceEmbeddings.SentenceEmbeddingsBuilder builder)
    {
        var services = new ServiceCollection();
        builder = services.AddSentenceEmbeddings(o =>
        {
            o.HuggingFaceHubCache = Path.Combine(Path.GetTempPath(), "no-hub-" + Guid.NewGuid().ToString("N"));
            o.Tiers["fast"] = new EmbeddingTierOptions { Path = TestModels.MiniLM };
            o.Tiers["arctic"] = new EmbeddingTierOptions { ModelId = "Snowflake/snowflake-arctic-embed-xs", Path = TestModels.Arctic };
        });
        return services;
    }

    [Fact]
    public async Task StopApplication_DuringAPreloadDownload_CancelsItWithinASecond()
    {
        using var cache = new TempDirectory();
        using var hub = new SentenceEmbeddings.Tests.Hub.FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        var slow = new SentenceEmbeddings.Tests.Hub.TricklingModel(hub);
        using IHost host = Host(Json($$"""{"SentenceEmbeddings": {"HuggingFaceHubCache": "{{cache.Path}}", "AllowDownload": true, "HubEndpoint": "{{hub.Endpoint}}", "Preload": ["fast"] } }"""));

        Task start = host.StartAsync();
        await slow.Started.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan stopped = await slow.CancelAndWaitAsync<OperationCanceledException>(host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication, start);

        Assert.True(stopped < TimeSpan.FromSeconds(1), $"the download stopped {stopped} after StopApplication");
        string repository = SentenceEmbeddings.ModelFolders.HubCacheLayout.RepositoryFolder(cache.Path, "sentence-transformers/all-MiniLM-L6-v2");
        Assert.False(Directory.Exists(Path.Combine(repository, "snapshots")));
        Assert.False(host.Services.GetRequiredService<EmbeddingTierRegistry>().IsLoaded("fast"));
    }

    [Fact]
    public async Task AllowDownload_SendsThroughTheHttpClientFactorysNamedClient()
    {
        using var cache = new TempDirectory();
        using var hub = new SentenceEmbeddings.Tests.Hub.FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        var seen = new CountingHandler();
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(o =>
        {
            o.HuggingFaceHubCache = cache.Path;
            o.AllowDownload = true;
            o.HubEndpoint = hub.Endpoint.ToString();
        });
        services.AddHttpClient(HubDownloader.HttpClientName).AddHttpMessageHandler(() => seen);
        using ServiceProvider provider = services.BuildServiceProvider();

        LoadedModelInfo loaded = await provider.GetRequiredService<EmbeddingTierRegistry>().LoadAsync("fast");

        Assert.Equal("onnx/model.onnx", loaded.OnnxFile);
        Assert.Equal(hub.Requests.Count, seen.Count);
        Assert.True(seen.Count > 3);
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _count;

        public int Count => _count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static IHost Host(IConfiguration configuration)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSentenceEmbeddings(configuration.GetSection(SentenceEmbeddingsOptions.SectionName));
        return builder.Build();
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
}
