using System.Text.Json;
using SentenceEmbeddings.Cli.Commands;

namespace SentenceEmbeddings.Tests.Cli;

public sealed class TokenizeCommandTests
{
    [Fact]
    public async Task RunAsync_FolderWithoutOnnx_WritesReferenceTokenIdsInOrder()
    {
        using TempDirectory model = TestModels.CopyOf(TestModels.Arctic, includeOnnx: false);
        using var folder = new TempDirectory();
        IReadOnlyList<ReferenceItem> items = ReferenceData.Arctic.Items;
        string input = folder.Write("in.jsonl", string.Join('\n', items.Select(i => JsonSerializer.Serialize(new { id = i.Id, text = i.Text }))));
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));

        Assert.Equal(0, await TokenizeCommand.RunAsync(new DirectoryInfo(model.Path), new FileInfo(input), output, CancellationToken.None));

        string[] lines = File.ReadAllLines(output.FullName);
        Assert.Equal(items.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            Assert.Equal(items[i].Id, line.RootElement.GetProperty("id").GetString());
            Assert.Equal(items[i].TokenIds, line.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt64()));
        }
    }

    [Fact]
    public async Task RunAsync_MissingFolder_ReturnsOne()
    {
        using var folder = new TempDirectory();
        string input = folder.Write("in.jsonl", """{"id": 1, "text": "x"}""");

        Assert.Equal(1, await TokenizeCommand.RunAsync(new DirectoryInfo(Path.Combine(folder.Path, "nope")), new FileInfo(input), new FileInfo(Path.Combine(folder.Path, "o")), CancellationToken.None));
    }
}
