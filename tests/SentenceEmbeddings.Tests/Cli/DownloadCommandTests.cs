using SentenceEmbeddings.Cli.Commands;
using SentenceEmbeddings.Tests.Hub;

namespace SentenceEmbeddings.Tests.Cli;

[Collection(EnvironmentGroup.Name)]
public sealed class DownloadCommandTests
{
    [Fact]
    public async Task RunAsync_TierToFolder_HonoursHfEndpointAndFillsTheFolder()
    {
        using var target = new TempDirectory();
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        string? endpoint = Environment.GetEnvironmentVariable("HF_ENDPOINT");
        try
        {
            Environment.SetEnvironmentVariable("HF_ENDPOINT", hub.Endpoint.ToString());
            string folder = Path.Combine(target.Path, "all-MiniLM-L6-v2");

            int code = await DownloadCommand.RunAsync("fast", null, "main", "onnx/model.onnx", new DirectoryInfo(folder), CancellationToken.None);

            Assert.Equal(0, code);
            Assert.True(File.Exists(Path.Combine(folder, "onnx", "model.onnx")));
            Assert.True(File.Exists(Path.Combine(folder, "1_Pooling", "config.json")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("HF_ENDPOINT", endpoint);
        }
    }

    [Fact]
    public async Task RunAsync_UnknownTier_ReturnsOne()
    {
        Assert.Equal(1, await DownloadCommand.RunAsync("turbo", null, "main", "onnx/model.onnx", null, CancellationToken.None));
    }
}
