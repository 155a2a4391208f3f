using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Cli.Commands;

namespace SentenceEmbeddings.Tests.Cli;

[Collection(ModelsGroup.Name)]
public sealed class EmbedCommandTests(GeneratorFixture models)
{
    [Fact]
    public async Task RunAsync_JsonLines_WritesVectorsAndTokensInInputOrder()
    {
        using var folder = new TempDirectory();
        IReadOnlyList<ReferenceItem> items = ReferenceData.MiniLM.Items;
        string input = folder.Write(
            "in.jsonl",
            string.Join('\n', items.Select((item, i) => JsonSerializer.Serialize(new { id = i % 2 == 0 ? (object)item.Id : i, text = item.Text }))) + "\n\n");
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));

        int code = await EmbedCommand.RunAsync(new DirectoryInfo(TestModels.MiniLM), new FileInfo(input), output, withTokens: true, CancellationToken.None);

        Assert.Equal(0, code);
        string[] lines = File.ReadAllLines(output.FullName);
        Assert.Equal(items.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            JsonElement id = line.RootElement.GetProperty("id");
            Assert.Equal(i % 2 == 0 ? items[i].Id : i.ToString(System.Globalization.CultureInfo.InvariantCulture), id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText());
            float[] embedding = [.. line.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
            Assert.True(VectorMath.Cosine(embedding, items[i].Embedding) >= 0.99999, items[i].Id);
            Assert.Equal(items[i].TokenIds, line.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt64()));
        }
    }

    [Fact]
    public async Task RunAsync_WithoutTokens_WritesNoTokenIds()
    {
        using var folder = new TempDirectory();
        string input = folder.Write("in.jsonl", """{"id": 7, "text": "hello world"}""");
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));

        Assert.Equal(0, await EmbedCommand.RunAsync(new DirectoryInfo(TestModels.MiniLM), new FileInfo(input), output, withTokens: false, CancellationToken.None));

        using JsonDocument line = JsonDocument.Parse(File.ReadAllText(output.FullName));
        Assert.Equal(7, line.RootElement.GetProperty("id").GetInt32());
        Assert.False(line.RootElement.TryGetProperty("token_ids", out _));
        ReadOnlyMemory<float> expected = await models.MiniLM.GenerateVectorAsync("hello world");
        Assert.Equal(expected.ToArray(), line.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()));
    }

    [Fact]
    public async Task RunAsync_BadLine_ReturnsOneAndNamesTheLine()
    {
        using var folder = new TempDirectory();
        string input = folder.Write("in.jsonl", "{\"id\": 1, \"text\": \"fine\"}\n{\"id\": 2, \"body\": \"no text\"}\n");
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));
        TextWriter original = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        try
        {
            Assert.Equal(1, await EmbedCommand.RunAsync(new DirectoryInfo(TestModels.MiniLM), new FileInfo(input), output, withTokens: false, CancellationToken.None));
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Contains("Line 2", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"text": "a\ud800b"}""", "a\ufffdb")]
    [InlineData("""{"text": "\udc00\ud800"}""", "\ufffd\ufffd")]
    [InlineData("""{"text": "\ud83d\ude00 ok"}""", "\U0001F600 ok")]
    [InlineData("""{"text": "\\ud800 is literal"}""", "\\ud800 is literal")]
    [InlineData("""{"text": "tab\there \u00e9"}""", "tab\there é")]
    public void Parse_LoneSurrogateEscapes_AreReadAsReplacementCharacter(string line, string expected)
    {
        Assert.Equal(expected, JsonLines.Parse(line, 1).Text);
    }

    [Fact]
    public async Task Embed_LongTextChunkWithChunks_WritesThePooledVectorAndEveryChunk()
    {
        using var folder = new TempDirectory();
        string document = SentenceEmbeddings.Tests.Chunking.LongDocuments.English(1).First();
        string input = folder.Write("in.jsonl", JsonSerializer.Serialize(new { id = "cv-1", text = document }) + "\n" + """{"id": 2, "text": "short"}""");
        string output = Path.Combine(folder.Path, "out.jsonl");

        int code = await EmbedCommand.Create().Parse(["--model-dir", TestModels.MiniLM, "--input", input, "--output", output, "--long-text", "chunk", "--with-chunks"]).InvokeAsync();

        Assert.Equal(0, code);
        string[] lines = File.ReadAllLines(output);
        IReadOnlyList<ChunkedEmbedding> expected = await models.MiniLM.GenerateChunksAsync([document, "short"]);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            Assert.Equal(expected[i].Vector.ToArray(), line.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()));
            JsonElement[] chunks = [.. line.RootElement.GetProperty("chunks").EnumerateArray()];
            Assert.Equal(expected[i].Chunks.Count, chunks.Length);
            for (int c = 0; c < chunks.Length; c++)
            {
                Assert.Equal(expected[i].Chunks[c].Start, chunks[c].GetProperty("start").GetInt32());
                Assert.Equal(expected[i].Chunks[c].End, chunks[c].GetProperty("end").GetInt32());
                Assert.Equal(expected[i].Chunks[c].TokenCount, chunks[c].GetProperty("token_count").GetInt32());
                Assert.Equal(expected[i].Chunks[c].Vector.ToArray(), chunks[c].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()));
            }
        }

        Assert.True(lines.Length == 2 && JsonDocument.Parse(lines[0]).RootElement.GetProperty("chunks").GetArrayLength() > 1);
    }

    [Theory]
    [InlineData("--long-text", "paragraphs")]
    [InlineData("--with-chunks")]
    [InlineData("--long-text", "error")]
    public async Task Embed_BadLongTextUse_ReturnsOneWithAMessage(params string[] extra)
    {
        using var folder = new TempDirectory();
        string input = folder.Write("in.jsonl", JsonSerializer.Serialize(new { id = 1, text = SentenceEmbeddings.Tests.Chunking.LongDocuments.English(1).First() }));
        TextWriter original = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        try
        {
            System.CommandLine.ParseResult parse = EmbedCommand.Create().Parse(["--model-dir", TestModels.MiniLM, "--input", input, "--output", Path.Combine(folder.Path, "o.jsonl"), .. extra]);
            int code = await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Error = error });

            Assert.NotEqual(0, code);
            string message = error.ToString();
            Assert.Contains(extra.Length == 1 ? "--with-chunks needs --long-text chunk" : extra[1] == "error" ? "Line 1: The text at index 0 has" : "'paragraphs'", message, StringComparison.Ordinal);
        }
        finally
        {
            Console.SetError(original);
        }
    }
}
