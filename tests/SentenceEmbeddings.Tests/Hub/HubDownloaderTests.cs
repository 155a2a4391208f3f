using System.Net;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.Hub;

public sealed class HubDownloaderTests
{
    private const string RepoId = "sentence-transformers/all-MiniLM-L6-v2";

    [Fact]
    public async Task DownloadAsync_IntoHuggingFaceCache_TheRegistryResolvesAndEmbeds()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        string snapshot = await downloader.DownloadAsync(RepoId);

        string repository = Path.Combine(cache.Path, "models--sentence-transformers--all-MiniLM-L6-v2");
        Assert.Equal(Path.Combine(repository, "snapshots", FakeHub.Commit), snapshot);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(repository, "refs", "main")));
        string onnxLink = Path.Combine(snapshot, "onnx", "model.onnx");
        Assert.NotNull(new FileInfo(onnxLink).LinkTarget);
        Assert.True(File.Exists(Path.Combine(repository, "blobs", FakeHub.Sha256(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")))));
        Assert.True(File.Exists(Path.Combine(repository, "blobs", FakeHub.GitBlobId(Path.Combine(TestModels.MiniLM, "vocab.txt")))));
        Assert.True(File.Exists(Path.Combine(snapshot, "1_Pooling", "config.json")));
        Assert.False(File.Exists(Path.Combine(snapshot, "README.md")));
        Assert.False(File.Exists(Path.Combine(snapshot, "onnx", "model_O4.onnx")));

        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path });
        ReadOnlyMemory<float> vector = await registry.GetGenerator("fast").GenerateVectorAsync("The quick brown fox jumps over the lazy dog.");
        ReferenceItem fox = ReferenceData.MiniLM.Items.First(i => i.Text == "The quick brown fox jumps over the lazy dog.");
        Assert.True(VectorMath.Cosine(vector.Span, fox.Embedding) >= 0.99999);
        Assert.Equal(snapshot, registry.LoadedModels.Single().Folder);
    }

    [Fact]
    public async Task DownloadToAsync_PlainFolder_HoldsTheModelFilesThemselves()
    {
        using var target = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        using var downloader = new HubDownloader(Options(hub, Path.Combine(target.Path, "unused-cache")));
        string folder = Path.Combine(target.Path, "all-MiniLM-L6-v2");

        await downloader.DownloadToAsync(RepoId, folder);

        Assert.Equal(File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")), File.ReadAllBytes(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.Null(new FileInfo(Path.Combine(folder, "onnx", "model.onnx")).LinkTarget);
        Assert.Empty(Directory.EnumerateFiles(folder, "*.incomplete", SearchOption.AllDirectories));
        using var generator = new SentenceEmbeddingGenerator(folder);
        Assert.Equal(384, generator.Dimensions);
    }

    [Fact]
    public async Task DownloadAsync_ServerErrorThenSuccess_Retries()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        int listFailures = 0, fileFailures = 0;
        hub.Intercept = (context, path) =>
        {
            if ((path.StartsWith("/api/", StringComparison.Ordinal) && Interlocked.Increment(ref listFailures) == 1) ||
                (path.EndsWith("vocab.txt", StringComparison.Ordinal) && context.Request.HttpMethod == "GET" && Interlocked.Increment(ref fileFailures) == 1))
            {
                FakeHub.Write(context, 500, "boom"u8.ToArray(), "text/plain");
                return true;
            }

            return false;
        };
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        string snapshot = await downloader.DownloadAsync(RepoId);

        Assert.Equal(2, listFailures);
        Assert.Equal(2, fileFailures);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "vocab.txt")), File.ReadAllBytes(Path.Combine(snapshot, "vocab.txt")));
    }

    [Fact]
    public async Task DownloadAsync_ConnectionDroppedMidFile_ResumesWithRangeAndBytesMatch()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        int drops = 0;
        hub.Intercept = (context, path) =>
        {
            if (path.EndsWith("model.onnx", StringComparison.Ordinal) && context.Request.HttpMethod == "GET" && Interlocked.Increment(ref drops) == 1)
            {
                // Send the first 10 MB of the file, then cut the connection.
                byte[] content = File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx"));
                context.Response.ContentLength64 = content.Length;
                context.Response.OutputStream.Write(content, 0, 10_000_000);
                context.Response.OutputStream.Flush();
                context.Response.Abort();
                return true;
            }

            return false;
        };
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        string snapshot = await downloader.DownloadAsync(RepoId);

        Assert.Contains(hub.Requests, r => r.EndsWith("onnx/model.onnx bytes=10000000-", StringComparison.Ordinal));
        Assert.Equal(FakeHub.Sha256(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")), FakeHub.Sha256(Path.Combine(snapshot, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadAsync_WrongSha256_IsRejectedAndNothingIsVisible()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        hub.WrongEtags["onnx/model.onnx"] = new string('a', 64);
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(RepoId));

        Assert.Contains("corrupt", exception.Message, StringComparison.Ordinal);
        string repository = Path.Combine(cache.Path, "models--sentence-transformers--all-MiniLM-L6-v2");
        Assert.False(Directory.Exists(Path.Combine(repository, "snapshots")));
        Assert.False(File.Exists(Path.Combine(repository, "refs", "main")));
        Assert.Empty(Directory.EnumerateFiles(repository, "*.onnx*", SearchOption.AllDirectories));
        using var registry = new EmbeddingTierRegistry(new SentenceEmbeddingsOptions { HuggingFaceHubCache = cache.Path });
        Assert.Throws<ModelNotFoundException>(() => registry.Locate("fast"));
    }

    [Fact]
    public async Task DownloadToAsync_WrongSha256_LeavesNoModelInTheFolder()
    {
        using var target = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        hub.WrongEtags["onnx/model.onnx"] = new string('b', 64);
        using var downloader = new HubDownloader(Options(hub, target.Path));

        await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadToAsync(RepoId, Path.Combine(target.Path, "m")));

        Assert.False(File.Exists(Path.Combine(target.Path, "m", "onnx", "model.onnx")));
        Assert.False(File.Exists(Path.Combine(target.Path, "m", "onnx", "model.onnx.incomplete")));
    }

    [Fact]
    public async Task DownloadAsync_GatedRepository_SaysToSetHfToken()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        hub.Intercept = (context, _) =>
        {
            FakeHub.Write(context, 401, "{\"error\":\"Access to model is restricted\"}"u8.ToArray(), "application/json");
            return true;
        };
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(RepoId));

        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
        Assert.Contains("set HF_TOKEN", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_Token_IsSentAsBearerAndNeverInTheMessage()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        hub.Intercept = (context, _) =>
        {
            FakeHub.Write(context, 403, "{}"u8.ToArray(), "application/json");
            return true;
        };
        HubDownloadOptions options = Options(hub, cache.Path);
        options.Token = "hf_secret_token_value";
        using var downloader = new HubDownloader(options);

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(RepoId));

        Assert.Equal("Bearer hf_secret_token_value", hub.Authorizations.First());
        Assert.DoesNotContain("hf_secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_UnknownModel_Is404WithAClearMessage()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync("nobody/no-such-model"));

        Assert.Equal(HttpStatusCode.NotFound, exception.StatusCode);
        Assert.Contains("nobody/no-such-model", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_VariantNotPublished_ListsTheProblem()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        HubDownloadOptions options = Options(hub, cache.Path);
        options.OnnxFile = "onnx/model_qint8_avx512_vnni.onnx";
        using var downloader = new HubDownloader(options);

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(RepoId));

        Assert.Contains("onnx/model_qint8_avx512_vnni.onnx", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_SlowServer_TimesOutAndRetries()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        int stalls = 0;
        hub.Intercept = (context, path) =>
        {
            if (path.EndsWith("tokenizer.json", StringComparison.Ordinal) && context.Request.HttpMethod == "GET" && Interlocked.Increment(ref stalls) == 1)
            {
                // Headers and a few bytes, then nothing for longer than the read timeout.
                context.Response.ContentLength64 = new FileInfo(Path.Combine(TestModels.MiniLM, "tokenizer.json")).Length;
                context.Response.OutputStream.Write("{\"v"u8);
                context.Response.OutputStream.Flush();
                Thread.Sleep(2000);
                context.Response.Abort();
                return true;
            }

            return false;
        };
        HubDownloadOptions options = Options(hub, cache.Path);
        options.ReadTimeout = TimeSpan.FromMilliseconds(300);
        using var downloader = new HubDownloader(options);

        string snapshot = await downloader.DownloadAsync(RepoId);

        Assert.True(stalls >= 2);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "tokenizer.json")), File.ReadAllBytes(Path.Combine(snapshot, "tokenizer.json")));
    }

    [Fact]
    public async Task DownloadAsync_Offline_UsesTheCacheOrSaysWhatIsMissing()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        HubDownloadOptions options = Options(hub, cache.Path);
        options.Offline = true;
        using var offline = new HubDownloader(options);

        HubDownloadException missing = await Assert.ThrowsAsync<HubDownloadException>(() => offline.DownloadAsync(RepoId));
        Assert.Contains("HF_HUB_OFFLINE", missing.Message, StringComparison.Ordinal);
        Assert.Empty(hub.Requests);

        using (var online = new HubDownloader(Options(hub, cache.Path)))
        {
            await online.DownloadAsync(RepoId);
        }

        int requests = hub.Requests.Count;
        string snapshot = await offline.DownloadAsync(RepoId);
        Assert.Equal(Path.Combine(cache.Path, "models--sentence-transformers--all-MiniLM-L6-v2", "snapshots", FakeHub.Commit), snapshot);
        Assert.Equal(requests, hub.Requests.Count);
    }

    [Theory]
    [InlineData(true, false, false, "onnx/model_qint8_avx512_vnni.onnx")] // every CPU's choice is in OnnxFileSelectorTests; two end to end
    [InlineData(false, false, true, "onnx/model_qint8_arm64.onnx")]
    public async Task DownloadAsync_Auto_FetchesOnlyTheInt8FileTheCpuRunsAndTheFolderResolvesToIt(bool vnni, bool avx512, bool arm64, string expected)
    {
        var cpu = new CpuFeatures(Avx512Vnni: vnni, Avx512: vnni || avx512, Avx2: !arm64, Arm64: arm64);
        using TempDirectory published = FakeHub.PublishedVariants(TestModels.MiniLM);
        using var hub = new FakeHub(RepoId, published.Path);
        using var cache = new TempDirectory();
        HubDownloadOptions options = Options(hub, cache.Path);
        options.OnnxVariant = OnnxVariant.Auto;
        options.Cpu = cpu;
        using var downloader = new HubDownloader(options);

        string snapshot = await downloader.DownloadAsync(RepoId);

        Assert.Equal([expected], Directory.EnumerateFiles(snapshot, "*.onnx", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(snapshot, f).Replace('\\', '/')));
        Assert.True(File.Exists(Path.Combine(snapshot, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(snapshot, "1_Pooling", "config.json")));
        Assert.DoesNotContain(hub.Requests, r => r.StartsWith("GET", StringComparison.Ordinal) && r.EndsWith(".onnx", StringComparison.Ordinal) && !r.EndsWith(expected, StringComparison.Ordinal));
        Assert.Equal(new ModelLocation(snapshot, expected), new ModelLocator(null, cache.Path, cpu: cpu).Locate(EmbeddingTier.Defaults[0], OnnxVariant.Auto, useCuda: false));
    }

    [Fact]
    public async Task DownloadAsync_AutoWithoutAVariantForTheCpu_FetchesFp32()
    {
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        using var cache = new TempDirectory();
        HubDownloadOptions options = Options(hub, cache.Path);
        options.OnnxVariant = OnnxVariant.Auto;
        options.Cpu = new CpuFeatures(Avx512Vnni: true, Avx512: true, Avx2: true, Arm64: false);
        using var downloader = new HubDownloader(options);

        string snapshot = await downloader.DownloadAsync(RepoId);

        Assert.True(File.Exists(Path.Combine(snapshot, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadAsync_CancelledMidFile_StopsWithinASecondAndNothingIsVisibleThenResumes()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        var slow = new TricklingModel(hub);
        using var downloader = new HubDownloader(Options(hub, cache.Path));
        using var cancellation = new CancellationTokenSource();
        var received = new FirstBytesOf("onnx/model.onnx");

        Task<string> download = downloader.DownloadAsync(RepoId, received, cancellation.Token);
        await received.FirstBytes.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan stopped = await slow.CancelAndWaitAsync<OperationCanceledException>(cancellation.Cancel, download);

        Assert.True(stopped < TimeSpan.FromSeconds(1), $"the transfer stopped {stopped} after the cancellation"); // the transfer itself stopped, not only the wait
        string repository = HubCacheLayout.RepositoryFolder(cache.Path, RepoId);
        Assert.False(Directory.Exists(Path.Combine(repository, "snapshots")));
        Assert.False(Directory.Exists(Path.Combine(repository, "refs")));
        Assert.All(Directory.EnumerateFiles(HubCacheLayout.BlobsFolder(repository)), blob => Assert.True(Path.GetFileName(blob).Length is 40 or 64 || blob.EndsWith(".incomplete", StringComparison.Ordinal), blob));
        Assert.Single(Directory.EnumerateFiles(HubCacheLayout.BlobsFolder(repository), "*.incomplete"));

        slow.Stop();
        string snapshot = await downloader.DownloadAsync(RepoId);
        Assert.Contains(hub.Requests, r => r.StartsWith("GET", StringComparison.Ordinal) && r.Contains("onnx/model.onnx bytes=", StringComparison.Ordinal));
        Assert.Equal(FakeHub.Sha256(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")), FakeHub.Sha256(Path.Combine(snapshot, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadToAsync_CancelledMidFile_LeavesNoModelFileAndNoPartialFileInTheFolder()
    {
        using var target = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        var slow = new TricklingModel(hub);
        using var downloader = new HubDownloader(Options(hub, Path.Combine(target.Path, "unused-cache")));
        using var cancellation = new CancellationTokenSource();
        var received = new FirstBytesOf("onnx/model.onnx");
        string folder = Path.Combine(target.Path, "m");

        Task<string> download = downloader.DownloadToAsync(RepoId, folder, received, cancellation.Token);
        await received.FirstBytes.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan stopped = await slow.CancelAndWaitAsync<OperationCanceledException>(cancellation.Cancel, download);

        Assert.True(stopped < TimeSpan.FromSeconds(1), $"the transfer stopped {stopped} after the cancellation");
        Assert.False(File.Exists(Path.Combine(folder, "onnx", "model.onnx")));
        string staging = HubCacheLayout.LocalDownloadFolder(folder);
        Assert.DoesNotContain(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories), f => !f.StartsWith(staging, StringComparison.Ordinal) && f.Contains(".incomplete", StringComparison.Ordinal));
        Assert.True(File.Exists(HubCacheLayout.PartialInFolder(folder, "onnx/model.onnx")));
        Assert.Throws<FileNotFoundException>(() => new SentenceEmbeddingGenerator(folder));

        slow.Stop();
        await downloader.DownloadToAsync(RepoId, folder);
        Assert.Equal(FakeHub.Sha256(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")), FakeHub.Sha256(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.False(Directory.Exists(Path.Combine(folder, ".cache")));
    }

    [Fact]
    public async Task DownloadAsync_RedirectToACdn_KeepsTheHubsHashAndSendsTheTokenToTheHubOnly()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        using var cdn = new FakeHub(RepoId, TestModels.MiniLM);
        string model = Path.Combine(TestModels.MiniLM, "onnx", "model.onnx");
        string sha256 = FakeHub.Sha256(model);
        cdn.WrongEtags["onnx/model.onnx"] = new string('c', 64); // a CDN's own ETag says nothing about the content
        hub.Intercept = (context, path) =>
        {
            if (!path.EndsWith("onnx/model.onnx", StringComparison.Ordinal))
            {
                return false;
            }

            // As the hub does for a large file: the hash, size and commit on the redirect itself.
            context.Response.Headers["X-Linked-Etag"] = $"\"{sha256}\"";
            context.Response.Headers["X-Linked-Size"] = new FileInfo(model).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["X-Repo-Commit"] = FakeHub.Commit;
            context.Response.Redirect(new Uri(cdn.Endpoint, path.TrimStart('/')).ToString());
            context.Response.StatusCode = 302;
            context.Response.Close();
            return true;
        };
        HubDownloadOptions options = Options(hub, cache.Path);
        options.Token = "hf_secret";
        using var downloader = new HubDownloader(options);

        string snapshot = await downloader.DownloadAsync(RepoId);

        Assert.Equal(sha256, FakeHub.Sha256(Path.Combine(snapshot, "onnx", "model.onnx")));
        Assert.Contains(cdn.Requests, r => r.StartsWith("GET", StringComparison.Ordinal) && r.EndsWith("onnx/model.onnx", StringComparison.Ordinal));
        Assert.All(cdn.Authorizations, a => Assert.Null(a));
        Assert.All(hub.Authorizations, a => Assert.Equal("Bearer hf_secret", a));
    }

    [Fact]
    public async Task DownloadAsync_ClientThatFollowsRedirectsItself_IsRefusedWithTheFix()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        using var cdn = new FakeHub(RepoId, TestModels.MiniLM);
        hub.Intercept = (context, path) =>
        {
            if (!path.EndsWith("vocab.txt", StringComparison.Ordinal))
            {
                return false;
            }

            context.Response.Redirect(new Uri(cdn.Endpoint, path.TrimStart('/')).ToString());
            context.Response.Close();
            return true;
        };
        using var client = new HttpClient(); // follows redirects: the hub's own answer would be lost
        using var downloader = new HubDownloader(client, Options(hub, cache.Path));

        InvalidOperationException exception = await Assert.ThrowsAsync<InvalidOperationException>(() => downloader.DownloadAsync(RepoId));

        Assert.Contains("AllowAutoRedirect", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_TooManyRequestsWithRetryAfter_WaitsAndRetries()
    {
        using var cache = new TempDirectory();
        using var hub = new FakeHub(RepoId, TestModels.MiniLM);
        int lists = 0;
        hub.Intercept = (context, path) =>
        {
            if (path.StartsWith("/api/", StringComparison.Ordinal) && Interlocked.Increment(ref lists) == 1)
            {
                context.Response.Headers["Retry-After"] = "1";
                FakeHub.Write(context, 429, "{\"error\":\"rate limited\"}"u8.ToArray(), "application/json");
                return true;
            }

            return false;
        };
        using var downloader = new HubDownloader(Options(hub, cache.Path));

        await downloader.DownloadAsync(RepoId);

        Assert.Equal(2, lists);
    }

    [Fact]
    public void Options_Defaults_AreConstantsNotTheEnvironment()
    {
        var options = new HubDownloadOptions();

        Assert.Equal(new Uri("https://huggingface.co"), options.Endpoint);
        Assert.Null(options.Token);
        Assert.Equal("main", options.Revision);
        Assert.Null(options.OnnxFile);
        Assert.Equal(OnnxVariant.Fp32, options.OnnxVariant);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub"), options.CacheDirectory);
        Assert.False(options.Offline);
        Assert.Equal(4, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ReadTimeout);
    }

    [Fact]
    public void Constructor_OptionOutOfRange_ThrowsNamingIt()
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new HubDownloader(new HubDownloadOptions { ReadTimeout = TimeSpan.Zero }));

        Assert.Equal(nameof(HubDownloadOptions.ReadTimeout), exception.ParamName);
        Assert.Equal(nameof(HubDownloadOptions.MaxRetries), Assert.Throws<ArgumentOutOfRangeException>(() => new HubDownloader(new HubDownloadOptions { MaxRetries = -1 })).ParamName);
    }

    [Theory]
    [InlineData("onnx/model.onnx", true)]
    [InlineData("onnx/model.onnx_data", true)]
    [InlineData("onnx/model_O4.onnx", false)]
    [InlineData("1_Pooling/config.json", true)]
    [InlineData("2_Normalize/config.json", true)]
    [InlineData("sentencepiece.bpe.model", true)]
    [InlineData("pytorch_model.bin", false)]
    [InlineData("model.safetensors", false)]
    [InlineData("openvino/openvino_model.bin", false)]
    public void IsNeeded_PicksTheFilesASentenceTransformersFolderNeeds(string file, bool needed)
    {
        Assert.Equal(needed, HubDownloader.IsNeeded(file, "onnx/model.onnx"));
    }

    /// <summary>Tells when the downloader has written the first bytes of a file (the partial file exists from then on).</summary>
    private sealed class FirstBytesOf(string file) : IProgress<HubDownloadProgress>
    {
        private readonly TaskCompletionSource _firstBytes = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstBytes => _firstBytes.Task;

        public void Report(HubDownloadProgress value)
        {
            if (value.File == file && value.BytesReceived > 0 && !value.Completed)
            {
                _firstBytes.TrySetResult();
            }
        }
    }

    private static HubDownloadOptions Options(FakeHub hub, string cache) => new()
    {
        Endpoint = hub.Endpoint,
        CacheDirectory = cache,
        Token = null,
        Offline = false,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        ReadTimeout = TimeSpan.FromSeconds(20),
    };
}
