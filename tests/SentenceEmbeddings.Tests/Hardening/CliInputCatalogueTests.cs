using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Cli.Commands;

namespace SentenceEmbeddings.Tests.Hardening;

/// <summary>The input catalogue through the CLI's JSON-lines reader, written as Python's json.dumps writes it (lone surrogates as <c>\ud800</c>).</summary>
[Collection(ModelsGroup.Name)]
public sealed class CliInputCatalogueTests(GeneratorFixture models)
{
    [Fact]
    public async Task Embed_CatalogueAsPythonJsonLines_WritesTheVectorsOfTheNormalizedTexts()
    {
        using var folder = new TempDirectory();
        IReadOnlyList<(string Name, string Input, string SameAs)> cases = InputCatalogue.Cases;
        string input = folder.Write("in.jsonl", string.Join('\n', cases.Select((c, i) => $"{{\"id\": {i}, \"text\": {PythonJsonString(c.Input)}}}")) + "\n");
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));

        Assert.Equal(0, await EmbedCommand.RunAsync(new DirectoryInfo(TestModels.MiniLM), new FileInfo(input), output, withTokens: true, CancellationToken.None));

        GeneratedEmbeddings<Embedding<float>> expected = await models.MiniLM.GenerateAsync(cases.Select(c => c.SameAs));
        string[] lines = File.ReadAllLines(output.FullName);
        Assert.Equal(cases.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, line.RootElement.GetProperty("id").GetInt32());
            float[] vector = [.. line.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
            InputCatalogueTests.AssertFiniteUnitVector(vector, cases[i].Name);
            Assert.True(VectorMath.MaxAbsDifference(expected[i].Vector.Span, vector) <= 1e-5f, cases[i].Name);
            Assert.Equal(models.MiniLM.Tokenizer.Tokenize(cases[i].SameAs), line.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt64()));
        }
    }

    [Fact]
    public async Task Tokenize_CatalogueAsPythonJsonLines_WritesTheTokensOfTheNormalizedTexts()
    {
        using var folder = new TempDirectory();
        IReadOnlyList<(string Name, string Input, string SameAs)> cases = InputCatalogue.Cases;
        string input = folder.Write("in.jsonl", string.Join('\n', cases.Select((c, i) => $"{{\"id\": \"{c.Name}\", \"text\": {PythonJsonString(c.Input)}}}")));
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));

        Assert.Equal(0, await TokenizeCommand.RunAsync(new DirectoryInfo(TestModels.Arctic), new FileInfo(input), output, CancellationToken.None));

        string[] lines = File.ReadAllLines(output.FullName);
        for (int i = 0; i < cases.Count; i++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[i]);
            Assert.Equal(cases[i].Name, line.RootElement.GetProperty("id").GetString());
            Assert.Equal(models.Arctic.Tokenizer.Tokenize(cases[i].SameAs), line.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt64()));
        }
    }

    [Theory]
    [InlineData("""{"id": 2, "text": null}""", "string \"text\"")]
    [InlineData("""{"id": 2}""", "string \"text\"")]
    [InlineData("""{"id": 2, "text": "cut \ud8""", "not valid JSON")]
    [InlineData("""["a list"]""", "string \"text\"")]
    [InlineData("\u0000\u0001", "not valid JSON")]
    public async Task Embed_BadLine_ExitsWithOneNamingTheLineAndTheProblem(string badLine, string problem)
    {
        using var folder = new TempDirectory();
        string input = folder.Write("in.jsonl", "{\"id\": 1, \"text\": \"fine\"}\n" + badLine + "\n");
        var output = new FileInfo(Path.Combine(folder.Path, "out.jsonl"));
        TextWriter original = Console.Error;
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetError(error);
        int code;
        try
        {
            code = await EmbedCommand.RunAsync(new DirectoryInfo(TestModels.MiniLM), new FileInfo(input), output, withTokens: false, CancellationToken.None);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Equal(1, code);
        Assert.Contains("Line 2", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(problem, error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Writes a JSON string as Python's json.dumps does by default: every non-ASCII UTF-16 unit as <c>\uXXXX</c>, lone surrogates included.</summary>
    private static string PythonJsonString(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                < ' ' or > '~' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }
}
