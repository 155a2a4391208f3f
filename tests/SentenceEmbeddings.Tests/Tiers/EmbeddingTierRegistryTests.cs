using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.Hub;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Tests.Hub;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.Tiers;

public sealed class EmbeddingTierRegistryTests
{
    [Fact]
    public void Constructor_Defaults_ListFourTiersWithTheirFacts()
    {
        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions());

        Assert.Equal(["fast", "balanced", "accurate", "multilingual"], registry.Tiers.Select(t => t.Name));
        Assert.Equal(
            ["sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L12-v2", "sentence-transformers/all-mpnet-base-v2", "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"],
            registry.Tiers.Select(t => t.ModelId));
        Assert.Equal([384, 384, 768, 384], registry.Tiers.Select(t => t.Dimensions!.Value));
        Assert.Equal("fast", registry.DefaultTier.Name);
        Assert.Empty(registry.LoadedModels);
    }

    [Fact]
    public void GetTier_ByNameOrModelId_IgnoresCase()
    {
        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions());

        Assert.Equal("accurate", registry.GetTier("ACCURATE").Name);
        Assert.Equal("multilingual", registry.GetTier("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2").Name);
    }

    [Fact]
    public void GetTier_Unknown_ThrowsArgumentExceptionListingKnownTiers()
    {
        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions());

        ArgumentException exception = Assert.Throws<ArgumentException>(() => registry.GetTier("turbo"));

        Assert.Contains("'turbo'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("fast (sentence-transformers/all-MiniLM-L6-v2), balanced", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_32ConcurrentFirstCalls_LoadTheModelOnce()
    {
        string tierName = "once-" + Guid.NewGuid().ToString("N");
        using var registry = new EmbeddingTierRegistry(OptionsWith((tierName, TestModels.MiniLM)));
        int loads = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SentenceEmbeddingsTelemetry.MeterName && instrument.Name == "sentence_embeddings.model.load.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "tier" && (string?)tag.Value == tierName)
                {
                    Interlocked.Increment(ref loads);
                }
            }
        });
        listener.Start();
        IEmbeddingGenerator<string, Embedding<float>> generator = registry.GetGenerator(tierName);

        using var start = new ManualResetEventSlim();
        Task<ReadOnlyMemory<float>>[] calls = [.. Enumerable.Range(0, 32).Select(i => Task.Run(() =>
        {
            start.Wait();
            return generator.GenerateVectorAsync("call " + (i % 4));
        }))];
        start.Set();
        ReadOnlyMemory<float>[] vectors = await Task.WhenAll(calls);

        Assert.Equal(1, loads);
        Assert.Single(registry.LoadedModels);
        ReadOnlyMemory<float> expected = await generator.GenerateVectorAsync("call 1");
        Assert.Equal(expected.ToArray(), vectors[5].ToArray());
    }

    [Fact]
    public async Task LoadAsync_OverMaxLoadedModels_UnloadsLeastRecentlyUsed()
    {
        var options = OptionsWith(("a", TestModels.MiniLM), ("b", TestModels.Arctic), ("c", TestModels.MiniLM));
        options.MaxLoadedModels = 2;
        using var registry = new EmbeddingTierRegistry(options);

        await registry.LoadAsync("a");
        await registry.LoadAsync("b");
        await registry.GetGenerator("a").GenerateVectorAsync("a is used after b");
        await registry.LoadAsync("c");

        Assert.Equal(["a", "c"], registry.LoadedModels.Select(m => m.Tier).Order());
    }

    [Fact]
    public async Task LoadAsync_OverMemoryBudget_UnloadsIdleModels()
    {
        var options = OptionsWith(("a", TestModels.MiniLM), ("b", TestModels.Arctic));
        options.MaxMemoryBytes = 100_000_000; // one 90 MB model fits, two do not
        using var registry = new EmbeddingTierRegistry(options);

        LoadedModelInfo a = await registry.LoadAsync("a");
        await registry.LoadAsync("b");

        Assert.Equal(new FileInfo(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")).Length, a.ApproximateMemoryBytes);
        Assert.Equal(["b"], registry.LoadedModels.Select(m => m.Tier));
    }

    [Fact]
    public async Task LoadAsync_BusyModel_IsNeverEvicted()
    {
        var options = OptionsWith(("a", TestModels.MiniLM), ("b", TestModels.Arctic));
        options.MaxLoadedModels = 1;
        using var registry = new EmbeddingTierRegistry(options);

        using (ModelLease busy = await registry.AcquireAsync(registry.GetTier("a"), CancellationToken.None))
        {
            await registry.LoadAsync("b");

            // Over budget, but "a" is in use: it stays, and still embeds.
            Assert.True(registry.IsLoaded("a"));
            Assert.Single(await busy.Model.Generator.GenerateAsync(["still works"]));
        }

        await registry.LoadAsync("b");
        Assert.Equal(["b"], registry.LoadedModels.Select(m => m.Tier));
    }

    [Fact]
    public async Task Unload_ThenGenerate_LoadsAgain()
    {
        using var registry = new EmbeddingTierRegistry(OptionsWith(("a", TestModels.MiniLM)));
        IEmbeddingGenerator<string, Embedding<float>> generator = registry.GetGenerator("a");
        ReadOnlyMemory<float> before = await generator.GenerateVectorAsync("hello");

        Assert.True(registry.Unload("a"));
        Assert.False(registry.Unload("a"));
        Assert.False(registry.IsLoaded("a"));

        ReadOnlyMemory<float> after = await generator.GenerateVectorAsync("hello");
        Assert.Equal(before.ToArray(), after.ToArray());
        Assert.True(registry.IsLoaded("a"));
    }

    [Fact]
    public async Task GenerateAsync_ModelIdOption_PicksTheTier()
    {
        using var registry = new EmbeddingTierRegistry(OptionsWith(("a", TestModels.MiniLM), ("b", TestModels.Arctic)));
        IEmbeddingGenerator<string, Embedding<float>> generator = registry.GetGenerator("a");

        Embedding<float> viaOption = (await generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "b" }))[0];
        ReadOnlyMemory<float> direct = await registry.GetGenerator("b").GenerateVectorAsync("hello");

        Assert.Equal(direct.ToArray(), viaOption.Vector.ToArray());
        Assert.Equal("test/b", viaOption.ModelId);
        await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "nope" }));
    }

    [Fact]
    public async Task LoadAsync_ModelFoundNowhere_ThrowsModelNotFoundExceptionAndCanRetry()
    {
        using var store = new TempDirectory();
        var options = new SentenceEmbeddingsOptions { ModelsPath = store.Path, HuggingFaceHubCache = Path.Combine(store.Path, "hub") };
        using var registry = new EmbeddingTierRegistry(options);

        await Assert.ThrowsAsync<ModelNotFoundException>(() => registry.LoadAsync("fast"));

        ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "all-MiniLM-L6-v2"));
        LoadedModelInfo loaded = await registry.LoadAsync("fast");
        Assert.Equal(Path.Combine(store.Path, "all-MiniLM-L6-v2"), loaded.Folder);
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", loaded.ModelId);
    }

    [Fact]
    public void GetGenerator_Metadata_IsKnownBeforeLoading()
    {
        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions());

        EmbeddingGeneratorMetadata metadata = registry.GetGenerator("accurate").GetService<EmbeddingGeneratorMetadata>()!;

        Assert.Equal("sentence-transformers/all-mpnet-base-v2", metadata.DefaultModelId);
        Assert.Equal(768, metadata.DefaultModelDimensions);
        Assert.False(registry.IsLoaded("accurate"));
    }

    [Fact]
    public async Task GenerateAsync_AllowDownload_FetchesTheModelIntoTheCacheOnFirstUse()
    {
        using var cache = new TempDirectory();
        using var hub = new SentenceEmbeddings.Tests.Hub.FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        var options = new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path, AllowDownload = true, HubEndpoint = hub.Endpoint.ToString() };
        using var registry = new EmbeddingTierRegistry(options);

        ReadOnlyMemory<float> vector = await registry.GetGenerator("fast").GenerateVectorAsync("hello world");

        Assert.Equal(384, vector.Length);
        Assert.StartsWith(Path.Combine(cache.Path, "models--sentence-transformers--all-MiniLM-L6-v2", "snapshots"), registry.LoadedModels.Single().Folder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_DownloadNotAllowed_NeverCallsTheHub()
    {
        using var cache = new TempDirectory();
        using var hub = new SentenceEmbeddings.Tests.Hub.FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path, HubEndpoint = hub.Endpoint.ToString() });

        await Assert.ThrowsAsync<ModelNotFoundException>(() => registry.GetGenerator("fast").GenerateVectorAsync("hello world"));

        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task LoadAsync_AutoWithAllowDownload_FetchesAndRunsOnlyTheInt8FileForTheCpu()
    {
        var avx512 = new CpuFeatures(Avx512Vnni: false, Avx512: true, Avx2: true, Arm64: false);
        using TempDirectory published = FakeHub.PublishedVariants(TestModels.MiniLM);
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", published.Path);
        using var cache = new TempDirectory();
        var options = new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path, AllowDownload = true, HubEndpoint = hub.Endpoint.ToString(), OnnxVariant = OnnxVariant.Auto };
        using var registry = new EmbeddingTierRegistry(options, null, NoEnvironment, cpu: avx512);

        LoadedModelInfo loaded = await registry.LoadAsync("fast");

        Assert.Equal("onnx/model_qint8_avx512.onnx", loaded.OnnxFile);
        Assert.Equal(["onnx/model_qint8_avx512.onnx"], hub.Requests.Where(r => r.StartsWith("GET", StringComparison.Ordinal) && r.EndsWith(".onnx", StringComparison.Ordinal)).Select(r => r.Split('/', 6)[^1]));
        Assert.False(File.Exists(Path.Combine(loaded.Folder, "onnx", "model.onnx")));

        // The variant's bytes are the fp32 graph here, so the vector proves which file ran and that it ran whole.
        ReadOnlyMemory<float> vector = await registry.GetGenerator("fast").GenerateVectorAsync("The quick brown fox jumps over the lazy dog.");
        ReferenceItem fox = ReferenceData.MiniLM.Items.First(i => i.Text == "The quick brown fox jumps over the lazy dog.");
        Assert.True(VectorMath.Cosine(vector.Span, fox.Embedding) >= 0.99999);

        // Offline later: a registry without download resolves the int8-only folder for the same CPU, and not for fp32.
        using var offline = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path, OnnxVariant = OnnxVariant.Auto }, null, NoEnvironment, cpu: avx512);
        Assert.Equal("onnx/model_qint8_avx512.onnx", offline.ResolveOnnxFile("fast"));
        using var fp32 = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path }, null, NoEnvironment, cpu: avx512);
        Assert.Throws<ModelNotFoundException>(() => fp32.ResolveOnnxFile("fast"));
    }

    [Fact]
    public async Task LoadAsync_CancelledDuringASlowDownload_StopsTheDownloadWithinASecondAndCanLoadLater()
    {
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        using var cache = new TempDirectory();
        var slow = new TricklingModel(hub);
        using var registry = Downloading(hub, cache);
        using var cancellation = new CancellationTokenSource();

        Task<LoadedModelInfo> load = registry.LoadAsync("fast", cancellation.Token);
        await slow.Started.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan stopped = await slow.CancelAndWaitAsync<OperationCanceledException>(cancellation.Cancel, load); // no caller waits, so the download stops

        Assert.True(stopped < TimeSpan.FromSeconds(1), $"the download stopped {stopped} after the cancellation");
        string repository = HubCacheLayout.RepositoryFolder(cache.Path, "sentence-transformers/all-MiniLM-L6-v2");
        Assert.False(Directory.Exists(Path.Combine(repository, "snapshots")));
        Assert.False(Directory.Exists(Path.Combine(repository, "refs")));
        Assert.False(registry.IsLoaded("fast"));

        slow.Stop();
        LoadedModelInfo loaded = await registry.LoadAsync("fast");
        Assert.Equal("onnx/model.onnx", loaded.OnnxFile);
    }

    [Fact]
    public async Task LoadAsync_OneOfTwoCallersCancels_TheLoadGoesOnForTheOther()
    {
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        using var cache = new TempDirectory();
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Intercept = (context, path) =>
        {
            if (path.EndsWith("onnx/model.onnx", StringComparison.Ordinal) && context.Request.HttpMethod == "GET")
            {
                held.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(30)); // hold the ONNX file until the first caller has given up
            }

            return false;
        };
        using var registry = Downloading(hub, cache);
        using var cancellation = new CancellationTokenSource();

        Task<LoadedModelInfo> impatient = registry.LoadAsync("fast", cancellation.Token);
        Task<LoadedModelInfo> patient = registry.LoadAsync("fast");
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        release.Set();

        LoadedModelInfo loaded = await patient;
        Assert.Equal("fast", loaded.Tier);
        Assert.Single(hub.Requests, r => r.StartsWith("GET", StringComparison.Ordinal) && r.EndsWith("onnx/model.onnx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_DuringALoad_CancelsItAndTheCallerIsTold()
    {
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        using var cache = new TempDirectory();
        var slow = new TricklingModel(hub);
        var registry = Downloading(hub, cache);

        Task<LoadedModelInfo> load = registry.LoadAsync("fast");
        await slow.Started.WaitAsync(TimeSpan.FromSeconds(30));

        await slow.CancelAndWaitAsync<ObjectDisposedException>(registry.Dispose, load);
    }

    private static HubEnvironment NoEnvironment { get; } = HubEnvironment.Read(_ => null);

    private static EmbeddingTierRegistry Downloading(FakeHub hub, TempDirectory cache) =>
        new(new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path, AllowDownload = true, HubEndpoint = hub.Endpoint.ToString() }, null, NoEnvironment);

    internal static SentenceEmbeddingsOptions OptionsWith(params (string Name, string Folder)[] tiers)
    {
        var options = new SentenceEmbeddingsOptions { HuggingFaceHubCache = Path.Combine(Path.GetTempPath(), "no-hub-" + Guid.NewGuid().ToString("N")) };
        foreach ((string name, string folder) in tiers)
        {
            options.Tiers[name] = new EmbeddingTierOptions { ModelId = "test/" + name, Path = folder };
        }

        return options;
    }
}
