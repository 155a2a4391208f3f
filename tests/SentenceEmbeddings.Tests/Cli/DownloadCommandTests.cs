using SentenceEmbeddings.Cli.Commands;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Tests.Hub;

namespace SentenceEmbeddings.Tests.Cli;

public sealed class DownloadCommandTests
{
    [Fact]
    public async Task RunAsync_TierToFolder_FillsTheFolderFromTheHubTheOptionsName()
    {
        using var target = new TempDirectory();
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        string folder = Path.Combine(target.Path, "all-MiniLM-L6-v2");

        int code = await DownloadCommand.RunAsync("fast", null, new HubDownloadOptions { Endpoint = hub.Endpoint }, new DirectoryInfo(folder), CancellationToken.None);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.True(File.Exists(Path.Combine(folder, "1_Pooling", "config.json")));
    }

    [Fact]
    public async Task RunAsync_TierWithOnnxVariantAuto_FetchesOnlyTheInt8FileThisCpuRuns()
    {
        using var published = FakeHub.PublishedVariants(TestModels.MiniLM);
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", published.Path);
        using var target = new TempDirectory();
        var options = new HubDownloadOptions { Endpoint = hub.Endpoint, OnnxVariant = OnnxVariant.Auto, Cpu = new CpuFeatures(Avx512Vnni: true, Avx512: true, Avx2: true, Arm64: false) };

        int code = await DownloadCommand.RunAsync("fast", null, options, new DirectoryInfo(target.Path), CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Equal(["onnx/model_qint8_avx512_vnni.onnx"], OnnxFiles(target.Path));
        Assert.True(File.Exists(Path.Combine(target.Path, "tokenizer.json")));
    }

    [Fact]
    public async Task RunAsync_UnknownTier_ReturnsOne()
    {
        Assert.Equal(1, await DownloadCommand.RunAsync("turbo", null, new HubDownloadOptions(), null, CancellationToken.None));
    }

    private static string[] OnnxFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.onnx", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
}
