using System.CommandLine;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Cli.Commands;

namespace SentenceEmbeddings.Tests.Cli;

/// <summary>The <c>index</c> and <c>search</c> contract, through the commands' own argument parsing.</summary>
[Collection(ModelsGroup.Name)]
public sealed class IndexSearchCommandTests(GeneratorFixture models)
{
    private static readonly (object Id, string Text)[] Documents =
    [
        ("job-1", "Senior backend engineer: C# and .NET services, PostgreSQL, Kubernetes."),
        (2, "Pastry chef for a busy bakery, early mornings, croissants and bread."),
        ("job-3", "Data scientist: Python, machine learning models, statistics."),
        ("job-4", "Truck driver with a heavy goods licence for long-distance routes."),
        (5, "Frontend developer: TypeScript, React, accessible web interfaces."),
        ("job-6", "Nurse for the night shift in a hospital emergency ward."),
    ];

    private static readonly (object Id, string Text)[] Queries =
    [
        ("q1", "I build web APIs in .NET and C#"),
        (2, "I bake bread and pastries"),
    ];

    private static async Task<int> InvokeAsync(Command command, params string[] args)
    {
        TextWriter original = Console.Error;
        Console.SetError(TextWriter.Null);
        try
        {
            return await command.Parse(args).InvokeAsync();
        }
        finally
        {
            Console.SetError(original);
        }
    }

    private static string WriteLines(TempDirectory folder, string name, (object Id, string Text)[] records) =>
        folder.Write(name, string.Join('\n', records.Select(r => JsonSerializer.Serialize(new { id = r.Id, text = r.Text }))) + "\n");

    [Theory]
    [InlineData("float")]
    [InlineData("int8")]
    [InlineData("binary")]
    public async Task IndexThenSearch_WritesResultsBestFirstWithCosineScores(string vectors)
    {
        using var folder = new TempDirectory();
        string docs = WriteLines(folder, "docs.jsonl", Documents);
        string queries = WriteLines(folder, "queries.jsonl", Queries);
        string index = Path.Combine(folder.Path, "jobs.sevx");
        string results = Path.Combine(folder.Path, "results.jsonl");

        Assert.Equal(0, await InvokeAsync(IndexCommand.Create(), "--model-dir", TestModels.MiniLM, "--input", docs, "--output", index, "--vectors", vectors));
        Assert.Equal(0, await InvokeAsync(SearchCommand.Create(), "--index", index, "--model-dir", TestModels.MiniLM, "--input", queries, "--output", results, "--top", "3"));

        GeneratedEmbeddings<Embedding<float>> documentVectors = await models.MiniLM.GenerateAsync(Documents.Select(d => d.Text));
        string[] lines = File.ReadAllLines(results);
        Assert.Equal(Queries.Length, lines.Length);
        for (int q = 0; q < Queries.Length; q++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[q]);
            Assert.Equal(JsonSerializer.Serialize(Queries[q].Id), line.RootElement.GetProperty("id").GetRawText());
            ReadOnlyMemory<float> query = await models.MiniLM.GenerateVectorAsync(Queries[q].Text);
            var expected = Documents.Select((d, i) => (Key: JsonSerializer.Serialize(d.Id), Score: TensorPrimitives.CosineSimilarity(query.Span, documentVectors[i].Vector.Span)))
                .OrderByDescending(x => x.Score).Take(3).ToList();
            JsonElement[] actual = [.. line.RootElement.GetProperty("results").EnumerateArray()];
            Assert.Equal(expected.Select(e => e.Key), actual.Select(r => r.GetProperty("key").GetRawText()));
            Assert.All(expected.Zip(actual), p => Assert.Equal(p.First.Score, p.Second.GetProperty("score").GetSingle(), 1e-5f));
            Assert.False(actual[0].TryGetProperty("start", out _));
        }

        using JsonDocument first = JsonDocument.Parse(lines[0]);
        Assert.Equal("\"job-1\"", first.RootElement.GetProperty("results")[0].GetProperty("key").GetRawText());
        using JsonDocument second = JsonDocument.Parse(lines[1]);
        Assert.Equal("2", second.RootElement.GetProperty("results")[0].GetProperty("key").GetRawText());
    }

    [Fact]
    public async Task Search_ChunkIndex_WritesBestChunkRange()
    {
        using var folder = new TempDirectory();
        string text = "Warehouse work, forklift licence needed. We also want a C# developer for our .NET web APIs.";
        int split = text.IndexOf("We also", StringComparison.Ordinal);
        string index = Path.Combine(folder.Path, "chunks.sevx");
        GeneratedEmbeddings<Embedding<float>> chunks = await models.MiniLM.GenerateAsync([text[..split], text[split..]]);
        using (var chunkIndex = new ChunkIndex(384))
        {
            chunkIndex.Add("\"mixed\"", [new ChunkVector { Start = 0, End = split, Vector = chunks[0].Vector }, new ChunkVector { Start = split, End = text.Length, Vector = chunks[1].Vector }]);
            chunkIndex.Add("\"other\"", [new ChunkVector { Start = 0, End = 5, Vector = (await models.MiniLM.GenerateAsync(["Pastry chef"]))[0].Vector }]);
            chunkIndex.Save(index);
        }

        string queries = WriteLines(folder, "queries.jsonl", [("q", "I build web APIs in .NET and C#")]);
        string results = Path.Combine(folder.Path, "results.jsonl");
        Assert.Equal(0, await InvokeAsync(SearchCommand.Create(), "--index", index, "--model-dir", TestModels.MiniLM, "--input", queries, "--output", results));

        using JsonDocument line = JsonDocument.Parse(File.ReadAllText(results));
        JsonElement best = line.RootElement.GetProperty("results")[0];
        Assert.Equal("mixed", best.GetProperty("key").GetString());
        Assert.Equal(split, best.GetProperty("start").GetInt32());
        Assert.Equal(text.Length, best.GetProperty("end").GetInt32());
        Assert.Equal(2, line.RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Index_LongTextChunk_SearchFindsTheDocumentByTheChunkThatMatches()
    {
        using var folder = new TempDirectory();

        // About 400 word pieces of warehouse text, then one sentence about .NET: past the 256-token window, so only a chunk sees it.
        string filler = string.Concat(Enumerable.Repeat("Warehouse shifts involve loading pallets, driving forklifts and checking stock levels. ", 25));
        string tail = "We also need a C# developer to build our .NET web APIs.";
        string resume = filler + tail;
        string docs = WriteLines(folder, "docs.jsonl", [("long", resume), ("chef", "Pastry chef for a busy bakery, early mornings, croissants and bread.")]);
        string queries = WriteLines(folder, "queries.jsonl", [("q", "I build web APIs in .NET and C#")]);
        string index = Path.Combine(folder.Path, "chunks.sevx");
        string results = Path.Combine(folder.Path, "results.jsonl");

        Assert.Equal(0, await InvokeAsync(IndexCommand.Create(), "--model-dir", TestModels.MiniLM, "--input", docs, "--output", index, "--long-text", "chunk"));
        Assert.Equal(0, await InvokeAsync(SearchCommand.Create(), "--index", index, "--model-dir", TestModels.MiniLM, "--input", queries, "--output", results));

        using JsonDocument line = JsonDocument.Parse(File.ReadAllText(results));
        JsonElement best = line.RootElement.GetProperty("results")[0];
        Assert.Equal("long", best.GetProperty("key").GetString());
        int start = best.GetProperty("start").GetInt32();
        int end = best.GetProperty("end").GetInt32();
        Assert.True(start > 0, $"the best chunk starts at {start}: the document's first window cannot hold the tail");
        Assert.Contains(tail, resume[start..end], StringComparison.Ordinal);

        // The same document in error mode stops the command before anything is written.
        string refused = Path.Combine(folder.Path, "refused.sevx");
        Assert.Equal(1, await InvokeAsync(IndexCommand.Create(), "--model-dir", TestModels.MiniLM, "--input", docs, "--output", refused, "--long-text", "error"));
        Assert.False(File.Exists(refused));
    }

    [Fact]
    public async Task BadInput_ExitsWithOne()
    {
        using var folder = new TempDirectory();
        string docs = WriteLines(folder, "docs.jsonl", Documents);
        string queries = WriteLines(folder, "queries.jsonl", Queries);
        string empty = folder.Write("empty.jsonl", "\n");
        string notIndex = folder.Write("not-an-index.sevx", "hello");
        string index = Path.Combine(folder.Path, "jobs.sevx");
        string small = Path.Combine(folder.Path, "small.sevx");
        using (var eightDimensions = new VectorIndex(8))
        {
            eightDimensions.Add("a", [1, 2, 3, 4, 5, 6, 7, 8]);
            eightDimensions.Save(small);
        }

        Assert.Equal(1, await InvokeAsync(IndexCommand.Create(), "--model-dir", TestModels.MiniLM, "--input", empty, "--output", index));
        Assert.False(File.Exists(index));
        Assert.NotEqual(0, await InvokeAsync(IndexCommand.Create(), "--model-dir", TestModels.MiniLM, "--input", docs, "--output", index, "--vectors", "int4"));
        Assert.Equal(0, await InvokeAsync(IndexCommand.Create(), "--model-dir", TestModels.MiniLM, "--input", docs, "--output", index));
        Assert.Equal(1, await InvokeAsync(SearchCommand.Create(), "--index", notIndex, "--model-dir", TestModels.MiniLM, "--input", queries));
        Assert.Equal(1, await InvokeAsync(SearchCommand.Create(), "--index", Path.Combine(folder.Path, "missing.sevx"), "--model-dir", TestModels.MiniLM, "--input", queries));
        Assert.Equal(1, await InvokeAsync(SearchCommand.Create(), "--index", small, "--model-dir", TestModels.MiniLM, "--input", queries));
        Assert.Equal(1, await InvokeAsync(SearchCommand.Create(), "--index", index, "--model-dir", TestModels.MiniLM, "--input", queries, "--top", "0"));
    }
}
