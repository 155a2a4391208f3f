using System.Diagnostics;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace SentenceEmbeddings.Tests.Chunking;

/// <summary>A call with a huge document in chunk mode must not hold up a one-sentence call that arrives while it runs (issue 14, item 4).</summary>
[Trait("Category", "Long")]
public sealed class LongTextFairnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ShortCall_WhileAHugeDocumentIsChunked_IsAnsweredWithinAFewBatches()
    {
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { LongTextMode = LongTextMode.Chunk, MaxChunksPerText = 100_000 });
        string huge = string.Join('\n', Enumerable.Repeat(LongDocuments.English(1).First(), 40)); // about 240 KB, 250 windows, 32 batches
        var watch = Stopwatch.StartNew();
        Task<GeneratedEmbeddings<Embedding<float>>> document = generator.GenerateAsync([huge]);
        await Task.Delay(500);

        var shortWatch = Stopwatch.StartNew();
        await generator.GenerateAsync(["A one-sentence query."]);
        shortWatch.Stop();
        bool documentStillRunning = !document.IsCompleted;
        GeneratedEmbeddings<Embedding<float>> result = await document;
        output.WriteLine($"short call {shortWatch.Elapsed.TotalMilliseconds:F0} ms; document {result[0].AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]} chunks in {watch.Elapsed.TotalSeconds:F1} s");

        Assert.True(documentStillRunning, "the short call was answered only after the whole document");
        Assert.True(shortWatch.Elapsed < watch.Elapsed / 4, "the short call took more than a quarter of the document's time");
    }
}
