using System.Text;
using CsCheck;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Hardening;

/// <summary>Properties over random UTF-16 strings (lone surrogates included): no exception, ids in range, finite unit vectors, batch invariance.</summary>
/// <remarks>The default run samples a few hundred short strings; the Long category samples many more and longer ones. A failure prints CsCheck's seed to rerun it.</remarks>
[Collection(ModelsGroup.Name)]
public sealed class PropertyTests(GeneratorFixture models)
{
    // Every UTF-16 unit is possible; the interesting ranges are weighted up so short strings still hit them.
    private static readonly Gen<char> AnyUnit = Gen.OneOf(
        Gen.Char,
        Gen.Char['\0', '\u007f'],
        Gen.Char['\ud800', '\udfff'],
        Gen.Char['\u4e00', '\u9fff'],
        Gen.Char['\u0300', '\u036f'],
        Gen.Char['\u2000', '\u206f'],
        Gen.Char[" \t\n\u00a0\u3000\ufffd\ufeff[]#"]);

    private static readonly Lazy<XlmRobertaUnigramTokenizer> Unigram = new(() =>
        XlmRobertaUnigramTokenizer.Load(Path.Combine(TestModels.Assets, "sentencepiece", "unigram-4k.model")));

    [Fact]
    public void Tokenize_RandomStrings_NeverThrowAndStayInTheVocabulary() => AssertTokenizersHold(Gen.String[AnyUnit, 0, 200], iterations: 500);

    [Fact]
    [Trait("Category", "Long")]
    public void Tokenize_ManyLongRandomStrings_NeverThrowAndStayInTheVocabulary() => AssertTokenizersHold(Gen.String[AnyUnit, 0, 5_000], iterations: 50_000);

    [Fact]
    public void Tokenize_LoneSurrogates_ReadAsReplacementCharacter() =>
        Gen.String[AnyUnit, 0, 100].Sample(
            text =>
            {
                string replaced = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
                Assert.Equal(models.MiniLM.Tokenizer.Tokenize(replaced), models.MiniLM.Tokenizer.Tokenize(text));
                Assert.Equal(Encode(Unigram.Value, replaced), Encode(Unigram.Value, text));
            },
            iter: 500);

    [Fact]
    public void GenerateAsync_RandomStrings_GiveFiniteUnitVectors() => AssertFiniteUnitVectors(Gen.String[AnyUnit, 0, 48], iterations: 100);

    [Fact]
    [Trait("Category", "Long")]
    public void GenerateAsync_ManyRandomStrings_GiveFiniteUnitVectors() => AssertFiniteUnitVectors(Gen.String[AnyUnit, 0, 600], iterations: 3_000);

    [Fact]
    public void GenerateAsync_RandomBatches_GiveEachTextItsAloneVector() => AssertBatchInvariance(iterations: 25);

    [Fact]
    [Trait("Category", "Long")]
    public void GenerateAsync_ManyRandomBatches_GiveEachTextItsAloneVector() => AssertBatchInvariance(iterations: 500);

    [Fact]
    [Trait("Category", "Long")]
    public void Tokenize_TenMegabytesOfChineseWithoutSpace_IsTruncatedCorrectlyInUnigram()
    {
        // The Unigram path encodes a text without spaces whole (docs/decisions.md 6): slow for 10 MB, but correct.
        string text = string.Concat(Enumerable.Repeat("北京大学的学生在图书馆里读书", (10 << 20) / 14));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        long[] ids = Encode(Unigram.Value, text);

        Console.WriteLine($"Unigram, 10 MB of Chinese without a space: {stopwatch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(128, ids.Length);
        Assert.Equal(Encode(Unigram.Value, text[..4096]), ids);
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Tokenize_TenMegabytesOfChineseWithoutSpace_IsTruncatedCorrectlyFromTokenizerJson()
    {
        // One Metaspace word of 10 MB: one linear Viterbi pass (docs/decisions.md 15).
        string text = string.Concat(Enumerable.Repeat("北京大学的学生在图书馆里读书", (10 << 20) / 14));
        using var folder = new TempDirectory();
        File.Copy(Path.Combine(TestModels.Assets, "sentencepiece", "unigram-4k.tokenizer-current.json"), Path.Combine(folder.Path, "tokenizer.json"));
        ISentenceTokenizer tokenizer = TokenizerLoader.Load(folder.Path);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        int count = tokenizer.Encode(text, new long[128], out bool truncated);

        Console.WriteLine($"Unigram from tokenizer.json, 10 MB of Chinese without a space: {stopwatch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(128, count);
        Assert.True(truncated);
    }

    private static long[] Encode(XlmRobertaUnigramTokenizer tokenizer, string text)
    {
        long[] ids = new long[128];
        int count = tokenizer.Encode(text, ids, out _);
        return ids[..count];
    }

    private void AssertTokenizersHold(Gen<string> strings, int iterations)
    {
        SentenceTokenizer[] tokenizers = [models.MiniLM.Tokenizer, models.Arctic.Tokenizer];
        strings.Sample(
            text =>
            {
                foreach (SentenceTokenizer tokenizer in tokenizers)
                {
                    long[] ids = tokenizer.Tokenize(text);
                    Assert.InRange(ids.Length, 2, tokenizer.MaxSequenceLength);
                    Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
                    Assert.Equal(101, ids[0]);
                    Assert.Equal(102, ids[^1]);
                }

                long[] pieces = Encode(Unigram.Value, text);
                Assert.InRange(pieces.Length, 2, 128);
                Assert.All(pieces, id => Assert.InRange(id, 0, Unigram.Value.VocabularySize - 1));
                Assert.Equal(XlmRobertaUnigramTokenizer.BosId, pieces[0]);
                Assert.Equal(XlmRobertaUnigramTokenizer.EosId, pieces[^1]);
            },
            iter: iterations);
    }

    private void AssertFiniteUnitVectors(Gen<string> strings, int iterations) =>
        strings.Sample(
            text =>
            {
                ReadOnlyMemory<float> vector = models.MiniLM.GenerateVectorAsync(text).GetAwaiter().GetResult();
                InputCatalogueTests.AssertFiniteUnitVector(vector.Span, text);
            },
            iter: iterations,
            threads: 1);

    private void AssertBatchInvariance(int iterations) =>
        Gen.String[AnyUnit, 0, 40].Array[1, 8].Sample(
            texts =>
            {
                GeneratedEmbeddings<Embedding<float>> batched = models.Arctic.GenerateAsync(texts).GetAwaiter().GetResult();
                for (int i = 0; i < texts.Length; i++)
                {
                    ReadOnlyMemory<float> alone = models.Arctic.GenerateVectorAsync(texts[i]).GetAwaiter().GetResult();
                    float difference = VectorMath.MaxAbsDifference(alone.Span, batched[i].Vector.Span);
                    Assert.True(difference <= 1e-5f, $"text {i}: max abs difference {difference}");
                }
            },
            iter: iterations,
            threads: 1);
}
