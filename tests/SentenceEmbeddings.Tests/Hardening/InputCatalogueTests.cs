using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tests.Tokenization;

namespace SentenceEmbeddings.Tests.Hardening;

/// <summary>The input catalogue through the public generator: every odd input gives the vector of what HuggingFace makes of it, or a typed exception.</summary>
[Collection(ModelsGroup.Name)]
public sealed class InputCatalogueTests(GeneratorFixture models)
{
    public static TheoryData<int, string> Cases => InputCatalogue.Rows;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GenerateAsync_CatalogueInput_EmbedsAsItsNormalizedText(int index, string name)
    {
        (_, string input, string sameAs) = InputCatalogue.Cases[index];
        foreach (SentenceEmbeddingGenerator generator in (SentenceEmbeddingGenerator[])[models.MiniLM, models.Arctic])
        {
            Assert.Equal(generator.Tokenizer.Tokenize(sameAs), generator.Tokenizer.Tokenize(input));

            GeneratedEmbeddings<Embedding<float>> e = await generator.GenerateAsync([input, sameAs]);

            AssertFiniteUnitVector(e[0].Vector.Span, $"{name} ({generator.ModelId})");
            float difference = VectorMath.MaxAbsDifference(e[1].Vector.Span, e[0].Vector.Span);
            Assert.True(difference <= 1e-5f, $"{name} ({generator.ModelId}): max abs difference {difference}");
        }
    }

    [Fact]
    public async Task GenerateAsync_EmptyText_IsClsSepAsInSentenceTransformers()
    {
        ReferenceItem empty = ReferenceData.MiniLM.Items.Single(i => i.Category == "empty");

        Embedding<float> e = (await models.MiniLM.GenerateAsync([string.Empty]))[0];

        Assert.Equal([101L, 102L], models.MiniLM.Tokenizer.Tokenize(string.Empty));
        Assert.True(VectorMath.Cosine(e.Vector.Span, empty.Embedding) >= 0.99999);
    }

    [Fact]
    public async Task GenerateAsync_NullListOrText_ThrowsArgumentNullException()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => models.MiniLM.GenerateAsync(null!));
        ArgumentNullException exception = await Assert.ThrowsAsync<ArgumentNullException>(() => models.Arctic.GenerateAsync(["a", null!]));
        Assert.Contains("index 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_EveryUnicodeCategory_GivesHuggingFaceTokensAndFiniteUnitVectors()
    {
        IReadOnlyList<(UnicodeCategory Category, string Text)> samples = InputCatalogue.CategorySamples(perCategory: 6);
        Assert.Equal(30, samples.Select(s => s.Category).Distinct().Count());

        // The Rust tokenizer gets UTF-8, where a lone surrogate is U+FFFD: the same reading as ours.
        using (var oracle = HuggingFaceOracle.Create())
        {
            string[] mismatches = [.. samples
                .Where(s => !oracle.Expected(AsUtf8(s.Text)).AsSpan().SequenceEqual(models.MiniLM.Tokenizer.Tokenize(s.Text)))
                .Select(s => $"{s.Category}: {HuggingFaceOracle.Escape(s.Text)}")];
            Assert.True(mismatches.Length == 0, string.Join(Environment.NewLine, mismatches));
        }

        GeneratedEmbeddings<Embedding<float>> batched = await models.MiniLM.GenerateAsync(samples.Select(s => s.Text));
        for (int i = 0; i < samples.Count; i++)
        {
            AssertFiniteUnitVector(batched[i].Vector.Span, $"{samples[i].Category} {HuggingFaceOracle.Escape(samples[i].Text)}");
        }

        // Batch invariance on a spread of them: alone as in the batch.
        for (int i = 0; i < samples.Count; i += 7)
        {
            ReadOnlyMemory<float> alone = await models.MiniLM.GenerateVectorAsync(samples[i].Text);
            Assert.True(VectorMath.MaxAbsDifference(alone.Span, batched[i].Vector.Span) <= 1e-5f, samples[i].Category.ToString());
        }
    }

    [Fact]
    public Task GenerateAsync_BatchOf1000_EveryVectorIsItsTextsOwn() => AssertLargeBatch(1_000);

    [Fact]
    [Trait("Category", "Long")]
    public Task GenerateAsync_BatchOf100000_EveryVectorIsItsTextsOwn() => AssertLargeBatch(100_000);

    internal static void AssertFiniteUnitVector(ReadOnlySpan<float> vector, string what)
    {
        foreach (float value in vector)
        {
            Assert.True(float.IsFinite(value), $"{what}: {value}");
        }

        Assert.True(Math.Abs(Math.Sqrt(TensorPrimitives.SumOfSquares(vector)) - 1) <= 1e-5, $"{what}: not of unit length");
    }

    /// <summary>The text as Python or Rust receive it: UTF-8, where a lone surrogate becomes U+FFFD.</summary>
    private static string AsUtf8(string text) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));

    private async Task AssertLargeBatch(int count)
    {
        // Short texts, some odd, repeated in a shuffled order: each of the count vectors is checked against its text embedded alone.
        string[] pool = [.. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "short.txt")).Take(40), .. InputCatalogue.Cases.Take(15).Select(c => c.Input)];
        var distinct = new ReadOnlyMemory<float>[pool.Length];
        for (int i = 0; i < pool.Length; i++)
        {
            distinct[i] = await models.MiniLM.GenerateVectorAsync(pool[i]);
        }

        int[] which = [.. Enumerable.Range(0, count).Select(i => (int)((i * 2_654_435_761L) % pool.Length))];

        GeneratedEmbeddings<Embedding<float>> e = await models.MiniLM.GenerateAsync(which.Select(i => pool[i]));

        Assert.Equal(count, e.Count);
        float worst = 0;
        for (int i = 0; i < count; i++)
        {
            worst = Math.Max(worst, VectorMath.MaxAbsDifference(distinct[which[i]].Span, e[i].Vector.Span));
        }

        Assert.True(worst <= 1e-5f, $"max abs difference {worst}");
    }
}
