using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace SentenceEmbeddings.Tests.Chunking;

/// <summary>Checks the long-text modes end to end with the real models: chunk vectors, pooling, the modes' equality on short texts, errors.</summary>
[Collection(ModelsGroup.Name)]
public sealed class LongTextModeTests(GeneratorFixture models)
{
    private static readonly EmbeddingGenerationOptions Chunk = Mode("chunk");
    private static readonly EmbeddingGenerationOptions Error = Mode("error");

    public static TheoryData<string> Models => ["minilm", "arctic"];

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ShortTexts_EveryMode_GivesTheTruncateVectorBitForBit(string model)
    {
        SentenceEmbeddingGenerator generator = Generator(model);
        string[] texts = ["The weather is lovely today.", "", "  ", LongDocuments.English(1).First()[..600]];

        GeneratedEmbeddings<Embedding<float>> truncate = await generator.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> chunk = await generator.GenerateAsync(texts, Chunk);
        GeneratedEmbeddings<Embedding<float>> error = await generator.GenerateAsync(texts, Error);
        IReadOnlyList<ChunkedEmbedding> chunks = await generator.GenerateChunksAsync(texts);

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(truncate[i].Vector.ToArray(), chunk[i].Vector.ToArray());
            Assert.Equal(truncate[i].Vector.ToArray(), error[i].Vector.ToArray());
            Assert.Equal(truncate[i].Vector.ToArray(), chunks[i].Vector.ToArray());
            Assert.Equal(1, chunk[i].AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]);
            Assert.Equal(truncate[i].AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName], chunk[i].AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
            TextChunk only = Assert.Single(chunks[i].Chunks);
            Assert.Equal((0, texts[i].Length), (only.Start, only.End));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task LongTexts_EachChunkAlone_GivesTheChunkVector(string model)
    {
        SentenceEmbeddingGenerator generator = Generator(model);
        string[] texts = [.. LongDocuments.English(2), LongDocuments.Odd().First()];

        IReadOnlyList<ChunkedEmbedding> results = await generator.GenerateChunksAsync(texts);

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.True(results[i].Chunks.Count > 1);
            Assert.False(results[i].Truncated);
            string[] pieces = [.. results[i].Chunks.Select(c => texts[i][c.Start..c.End])];
            GeneratedEmbeddings<Embedding<float>> alone = await generator.GenerateAsync(pieces);
            for (int c = 0; c < pieces.Length; c++)
            {
                TextChunk chunk = results[i].Chunks[c];
                Assert.True(chunk.TokenCount <= generator.MaxSequenceLength);
                Assert.Equal(alone[c].AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName], chunk.TokenCount);
                Assert.False((bool)alone[c].AdditionalProperties![SentenceEmbeddingGenerator.TruncatedPropertyName]!);
                Assert.True(VectorMath.Cosine(alone[c].Vector.Span, chunk.Vector.Span) >= 0.9999, $"{model} text {i} chunk {c}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ChunkMode_PooledVector_IsTheTokenWeightedMeanRenormalised(string model)
    {
        SentenceEmbeddingGenerator generator = Generator(model);
        string[] texts = [.. LongDocuments.English(2)];

        IReadOnlyList<ChunkedEmbedding> results = await generator.GenerateChunksAsync(texts);
        GeneratedEmbeddings<Embedding<float>> pooled = await generator.GenerateAsync(texts, Chunk);

        for (int i = 0; i < texts.Length; i++)
        {
            float[] mean = new float[generator.Dimensions];
            int total = results[i].Chunks.Sum(c => c.TokenCount);
            foreach (TextChunk chunk in results[i].Chunks)
            {
                for (int d = 0; d < mean.Length; d++)
                {
                    mean[d] += chunk.Vector.Span[d] * chunk.TokenCount / total;
                }
            }

            Assert.True(generator.NormalizesEmbeddings);
            Assert.Equal(1f, TensorPrimitives.Norm(pooled[i].Vector.Span), 4);
            Assert.True(VectorMath.Cosine(mean, pooled[i].Vector.Span) >= 0.9999);
            Assert.Equal(results[i].Vector.ToArray(), pooled[i].Vector.ToArray());
            Assert.Equal(results[i].Chunks.Count, pooled[i].AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]);
            Assert.Equal(total, pooled[i].AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
            Assert.Equal(false, pooled[i].AdditionalProperties![SentenceEmbeddingGenerator.TruncatedPropertyName]);
        }

        Assert.Equal(results.Sum(r => r.TokenCount), pooled.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task ChunkMode_WithAPrompt_PutsThePromptBeforeEveryChunk()
    {
        SentenceEmbeddingGenerator generator = models.Arctic;
        var query = new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.PromptNamePropertyName] = "query" } };
        string text = string.Join(' ', Enumerable.Repeat(LongDocuments.English(1).First(), 2));

        ChunkedEmbedding result = (await generator.GenerateChunksAsync([text], query))[0];
        GeneratedEmbeddings<Embedding<float>> alone = await generator.GenerateAsync([.. result.Chunks.Select(c => text[c.Start..c.End])], query);

        Assert.True(result.Chunks.Count > 1);
        for (int c = 0; c < result.Chunks.Count; c++)
        {
            Assert.Equal(alone[c].AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName], result.Chunks[c].TokenCount);
            Assert.True(VectorMath.Cosine(alone[c].Vector.Span, result.Chunks[c].Vector.Span) >= 0.9999);
        }
    }

    [Fact]
    public async Task ErrorMode_LongText_ThrowsWithIndexTokensAndLimit()
    {
        SentenceEmbeddingGenerator generator = models.MiniLM;
        string text = LongDocuments.English(1).First();
        int tokens = SentenceTokenizer.Load(TestModels.MiniLM, maxSequenceLength: 100_000).Tokenize(text).Length;

        TextTooLongException exception = await Assert.ThrowsAsync<TextTooLongException>(() => generator.GenerateAsync(["short", text], Error));

        Assert.Equal(1, exception.TextIndex);
        Assert.Equal(256, exception.MaxTokenCount);
        Assert.Equal(tokens, exception.TokenCount);
        Assert.True(tokens > 1000, $"{tokens} tokens");
    }

    [Fact]
    public async Task ChunkMode_PastTheCap_StopsAndFlagsTruncated()
    {
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { LongTextMode = LongTextMode.Chunk, MaxChunksPerText = 3 });
        string huge = string.Concat(Enumerable.Repeat(LongDocuments.English(1).First() + "\n", 2_500)); // about 10 MB

        Embedding<float> embedding = (await generator.GenerateAsync([huge]))[0];

        Assert.Equal(3, embedding.AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]);
        Assert.Equal(true, embedding.AdditionalProperties![SentenceEmbeddingGenerator.TruncatedPropertyName]);
        Assert.True(huge.Length > 10_000_000);
    }

    [Theory]
    [InlineData("paragraphs")]
    [InlineData("7")]
    [InlineData("")]
    public async Task UnknownMode_InACall_NamesTheValueAndTheAllowedOnes(string value)
    {
        ArgumentException exception = await Assert.ThrowsAsync<ArgumentException>(() => models.MiniLM.GenerateAsync(["x"], Mode(value)));

        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'truncate', 'chunk' or 'error'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateChunksAsync_ThroughDependencyInjection_ReachesTheTier()
    {
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(o =>
        {
            o.Tiers["fast"] = new EmbeddingTierOptions { Path = TestModels.MiniLM };
            o.LongTextMode = LongTextMode.Chunk;
            o.MaxChunksPerText = 2;
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var fast = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("fast");
        string text = LongDocuments.English(1).First();

        ChunkedEmbedding chunked = (await fast.GenerateChunksAsync([text]))[0];
        Embedding<float> pooled = (await fast.GenerateAsync([text]))[0];

        Assert.Equal(2, chunked.Chunks.Count);
        Assert.True(chunked.Truncated);
        Assert.Equal(chunked.Vector.ToArray(), pooled.Vector.ToArray());
        Assert.Equal(2, pooled.AdditionalProperties![SentenceEmbeddingGenerator.ChunkCountPropertyName]);
    }

    private static EmbeddingGenerationOptions Mode(string value) =>
        new() { AdditionalProperties = new() { [SentenceEmbeddingGenerator.LongTextPropertyName] = value } };

    private SentenceEmbeddingGenerator Generator(string model) => model == "minilm" ? models.MiniLM : models.Arctic;
}
