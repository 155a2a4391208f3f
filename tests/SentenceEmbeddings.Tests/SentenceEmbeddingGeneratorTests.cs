using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Tests;

[Collection(ModelsGroup.Name)]
public sealed class SentenceEmbeddingGeneratorTests(GeneratorFixture models)
{
    public static TheoryData<string> ReferenceModels => ["minilm", "arctic"];

    [Theory]
    [MemberData(nameof(ReferenceModels))]
    public async Task GenerateAsync_ReferenceItems_MatchReferenceEmbeddings(string model)
    {
        (SentenceEmbeddingGenerator generator, ReferenceFile reference) = Pick(model);

        GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(reference.Items.Select(i => i.Text));

        Assert.Equal(reference.Items.Count, embeddings.Count);
        var failures = new List<string>();
        for (int i = 0; i < reference.Items.Count; i++)
        {
            ReferenceItem item = reference.Items[i];
            double cosine = VectorMath.Cosine(embeddings[i].Vector.Span, item.Embedding);
            if (cosine < 0.99999)
            {
                failures.Add($"{item.Id} ({item.Category}): cosine {cosine:F7}");
            }

            Assert.Equal(item.TokenIds.Length, (int)embeddings[i].AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]!);
            Assert.Equal(item.Truncated, (bool)embeddings[i].AdditionalProperties![SentenceEmbeddingGenerator.TruncatedPropertyName]!);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(reference.Items.Sum(i => i.TokenIds.Length), embeddings.Usage!.InputTokenCount);
    }

    [Theory]
    [MemberData(nameof(ReferenceModels))]
    public async Task GenerateAsync_EachReferenceItemAlone_MatchesReference(string model)
    {
        (SentenceEmbeddingGenerator generator, ReferenceFile reference) = Pick(model);
        foreach (ReferenceItem item in reference.Items.Take(12))
        {
            ReadOnlyMemory<float> vector = await generator.GenerateVectorAsync(item.Text);
            Assert.True(VectorMath.Cosine(vector.Span, item.Embedding) >= 0.99999, item.Id);
        }
    }

    [Fact]
    public async Task GenerateAsync_ModelCardSentences_GiveModelCardSimilarities()
    {
        // The similarities printed on the all-MiniLM-L6-v2 model card.
        GeneratedEmbeddings<Embedding<float>> e = await models.MiniLM.GenerateAsync(
            ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]);

        Assert.Equal(0.6660, VectorMath.Cosine(e[0].Vector.Span, e[1].Vector.Span), 5e-4);
        Assert.Equal(0.1046, VectorMath.Cosine(e[0].Vector.Span, e[2].Vector.Span), 5e-4);
        Assert.Equal(0.1411, VectorMath.Cosine(e[1].Vector.Span, e[2].Vector.Span), 5e-4);
    }

    [Fact]
    public async Task GenerateAsync_BatchOf64MixedLengths_SameAsAloneAndShuffled()
    {
        string[] corpus = File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt"));
        string[] shortLines = File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "short.txt"));
        string[] texts = [.. corpus.Take(16), .. shortLines.Take(40), "", " ", "x", "Python开发工程师", .. corpus.Skip(16).Take(4)];
        Assert.Equal(64, texts.Length);

        GeneratedEmbeddings<Embedding<float>> batched = await models.MiniLM.GenerateAsync(texts);
        int[] permutation = [.. Enumerable.Range(0, texts.Length).OrderBy(i => (i * 37) % 64)];
        GeneratedEmbeddings<Embedding<float>> shuffled = await models.MiniLM.GenerateAsync(permutation.Select(i => texts[i]));

        float worst = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            ReadOnlyMemory<float> alone = await models.MiniLM.GenerateVectorAsync(texts[i]);
            worst = Math.Max(worst, VectorMath.MaxAbsDifference(alone.Span, batched[i].Vector.Span));
        }

        for (int k = 0; k < permutation.Length; k++)
        {
            worst = Math.Max(worst, VectorMath.MaxAbsDifference(batched[permutation[k]].Vector.Span, shuffled[k].Vector.Span));
        }

        Assert.True(worst <= 1e-5f, $"max abs difference {worst}");
    }

    [Fact]
    public async Task GenerateAsync_EmptyAndWhitespace_GiveTheClsSepVector()
    {
        ReferenceItem empty = ReferenceData.MiniLM.Items.Single(i => i.Category == "empty");
        Assert.Equal([101L, 102L], empty.TokenIds);

        GeneratedEmbeddings<Embedding<float>> e = await models.MiniLM.GenerateAsync(["", "   ", "\t\n"]);

        foreach (Embedding<float> embedding in e)
        {
            Assert.True(VectorMath.Cosine(embedding.Vector.Span, empty.Embedding) >= 0.99999);
            Assert.Equal(2, embedding.AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
        }
    }

    [Fact]
    public async Task GenerateAsync_TenMegabyteString_IsTruncatedAtMaxSequenceLength()
    {
        string huge = string.Concat(Enumerable.Repeat("employment wages labour ", 10 * 1024 * 1024 / 24));

        Embedding<float> embedding = (await models.MiniLM.GenerateAsync([huge]))[0];

        Assert.Equal(256, models.MiniLM.MaxSequenceLength);
        Assert.Equal(256, embedding.AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
        Assert.Equal(true, embedding.AdditionalProperties[SentenceEmbeddingGenerator.TruncatedPropertyName]);
        Assert.Equal(1.0, Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(embedding.Vector.Span)), 1e-5);
    }

    [Fact]
    public async Task GenerateAsync_LoneSurrogatesAndControlCharacters_GiveFiniteVectors()
    {
        string[] texts = ["\ud800", "a\udc00b", "\udc00\ud800", "bell\u0007char", "\u0000\u0001\u001b[0m", "\ufffd", "x\u200dy\u200b"];

        GeneratedEmbeddings<Embedding<float>> e = await models.MiniLM.GenerateAsync(texts);

        Assert.All(e, x => Assert.All(x.Vector.ToArray(), v => Assert.True(float.IsFinite(v))));

        // A lone surrogate is read as U+FFFD, which BERT's normaliser deletes: "a\udc00b" is "ab".
        ReadOnlyMemory<float> ab = await models.MiniLM.GenerateVectorAsync("ab");
        Assert.True(VectorMath.MaxAbsDifference(ab.Span, e[1].Vector.Span) <= 1e-5f);
    }

    [Fact]
    public async Task GenerateAsync_NullList_ThrowsArgumentNullException()
    {
        ArgumentNullException exception = await Assert.ThrowsAsync<ArgumentNullException>(() => models.MiniLM.GenerateAsync(null!));
        Assert.Equal("values", exception.ParamName);
    }

    [Fact]
    public async Task GenerateAsync_NullItem_ThrowsArgumentNullExceptionNamingTheIndex()
    {
        ArgumentNullException exception = await Assert.ThrowsAsync<ArgumentNullException>(() => models.MiniLM.GenerateAsync(["a", "b", null!]));
        Assert.Equal("values", exception.ParamName);
        Assert.Contains("index 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_EmptyList_ReturnsNoEmbeddings()
    {
        GeneratedEmbeddings<Embedding<float>> e = await models.MiniLM.GenerateAsync([]);
        Assert.Empty(e);
        Assert.Equal(0, e.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_CancelledToken_ThrowsAndLaterCallsWork()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => models.MiniLM.GenerateAsync(["hello"], cancellationToken: cancelled.Token));

        ReadOnlyMemory<float> vector = await models.MiniLM.GenerateVectorAsync("The quick brown fox jumps over the lazy dog.");
        ReferenceItem fox = ReferenceData.MiniLM.Items.First(i => i.Text == "The quick brown fox jumps over the lazy dog.");
        Assert.True(VectorMath.Cosine(vector.Span, fox.Embedding) >= 0.99999);
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileRunning_ThrowsOperationCanceledException()
    {
        string[] corpus = File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt"));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => models.MiniLM.GenerateAsync(corpus, cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task GenerateAsync_OtherModelOrDimensions_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => models.MiniLM.GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = "other/model" }));
        await Assert.ThrowsAsync<ArgumentException>(() => models.MiniLM.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 128 }));
        Assert.Single(await models.MiniLM.GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = "all-MiniLM-L6-v2", Dimensions = 384 }));
    }

    [Fact]
    public async Task GenerateAsync_Embeddings_CarryModelIdAndCreationTime()
    {
        Embedding<float> e = (await models.MiniLM.GenerateAsync(["hello world"]))[0];

        Assert.Equal("all-MiniLM-L6-v2", e.ModelId);
        Assert.NotNull(e.CreatedAt);
        Assert.Equal(384, e.Dimensions);
        Assert.Equal(4, e.AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
        Assert.Equal(false, e.AdditionalProperties[SentenceEmbeddingGenerator.TruncatedPropertyName]);
    }

    [Fact]
    public void GetService_Metadata_DescribesTheModel()
    {
        EmbeddingGeneratorMetadata metadata = models.Arctic.GetService<EmbeddingGeneratorMetadata>()!;

        Assert.Equal("SentenceEmbeddings", metadata.ProviderName);
        Assert.Null(metadata.ProviderUri);
        Assert.Equal("snowflake-arctic-embed-xs", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Same(models.Arctic, models.Arctic.GetService<SentenceEmbeddingGenerator>());
        Assert.Null(models.Arctic.GetService(typeof(EmbeddingGeneratorMetadata), serviceKey: "key"));
        Assert.Null(models.Arctic.GetService(typeof(string)));
    }

    [Fact]
    public async Task GenerateAsync_QueryPrompt_IsPutBeforeTheText()
    {
        const string Query = "what is the weather like";
        ReadOnlyMemory<float> withPrompt = (await models.Arctic.GenerateAsync(
            [Query],
            new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.PromptNamePropertyName] = "query" } }))[0].Vector;
        ReadOnlyMemory<float> byHand = await models.Arctic.GenerateVectorAsync("Represent this sentence for searching relevant passages: " + Query);

        Assert.True(VectorMath.MaxAbsDifference(withPrompt.Span, byHand.Span) <= 1e-5f);
        await Assert.ThrowsAsync<ArgumentException>(() => models.Arctic.GenerateAsync(
            [Query],
            new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.PromptNamePropertyName] = "nope" } }));
    }

    private (SentenceEmbeddingGenerator Generator, ReferenceFile Reference) Pick(string model) =>
        model == "minilm" ? (models.MiniLM, ReferenceData.MiniLM) : (models.Arctic, ReferenceData.Arctic);

    [Fact]
    public async Task GenerateAsync_64ConcurrentSingleTextCallers_GetTheirOwnSingleCallVectors()
    {
        string[] texts = [.. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "short.txt")).Take(48), .. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt")).Take(16)];
        var alone = new ReadOnlyMemory<float>[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            alone[i] = await models.MiniLM.GenerateVectorAsync(texts[i]);
        }

        using var start = new ManualResetEventSlim();
        Task<ReadOnlyMemory<float>>[] calls = [.. texts.Select(text => Task.Run(() =>
        {
            start.Wait();
            return models.MiniLM.GenerateVectorAsync(text);
        }))];
        start.Set();
        ReadOnlyMemory<float>[] merged = await Task.WhenAll(calls);

        float worst = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            worst = Math.Max(worst, VectorMath.MaxAbsDifference(alone[i].Span, merged[i].Span));
        }

        Assert.True(worst <= 1e-5f, $"max abs difference {worst}");
    }
}
