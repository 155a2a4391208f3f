using System.Net;
using Microsoft.Extensions.AI;
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
