using System.Globalization;
using System.Text;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the tokenizer against HuggingFace's Rust tokenizer (Tokenizers.DotNet) on every sentence of the evaluation corpora.</summary>
[Collection(HuggingFaceOracleCollectionDefinition.Name)]
public sealed class WordPieceOracleTests(HuggingFaceOracleFixture fixture)
{
    public static TheoryData<string> Corpora => [.. TokenizationAssets.CorpusNames];

    [Theory]
    [MemberData(nameof(Corpora))]
    public void Corpus_Untruncated_MatchesHuggingFace(string corpus)
    {
        IReadOnlyList<string> texts = TokenizationAssets.ReadCorpus(corpus);
        Assert.NotEmpty(texts);

        (int mismatches, string report) = fixture.Oracle.Compare(texts);

        Assert.True(mismatches == 0, report);
    }

    [Theory]
    [MemberData(nameof(Corpora))]
    public void Corpus_TruncatedAt256_MatchesHuggingFaceCutTheHuggingFaceWay(string corpus)
    {
        const int maxLength = 256;
        long[] buffer = new long[maxLength];
        int mismatches = 0;
        int truncatedTexts = 0;
        var report = new StringBuilder();
        foreach (string text in TokenizationAssets.ReadCorpus(corpus))
        {
            long[] full = fixture.Oracle.Expected(text);
            bool expectedTruncated = full.Length > maxLength;

            // HuggingFace keeps [CLS], the first max_length - 2 text tokens and [SEP].
            long[] expected = expectedTruncated ? [.. full[..(maxLength - 1)], full[^1]] : full;

            int count = fixture.Oracle.Tokenizer.Encode(text, buffer, out bool truncated);
            truncatedTexts += truncated ? 1 : 0;
            if (!expected.AsSpan().SequenceEqual(buffer.AsSpan(0, count)) || truncated != expectedTruncated)
            {
                if (mismatches++ < 5)
                {
                    report.AppendLine(CultureInfo.InvariantCulture, $"text: \"{HuggingFaceOracle.Escape(text)}\" truncated: {truncated}, expected {expectedTruncated}");
                }
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} mismatches:{Environment.NewLine}{report}");
        if (corpus == "corpus/long.txt")
        {
            Assert.True(truncatedTexts > 0, "long.txt has paragraphs over 256 tokens, so some must be truncated.");
        }
    }

    [Fact]
    public void ArcticFolder_VocabularyFileOnly_MatchesHuggingFaceOnAllCorpora()
    {
        WordPieceTokenizer fromVocabulary = WordPieceTokenizerLoader.Load(TokenizationAssets.ArcticDirectory);
        long[] buffer = new long[100_000];
        var generator = new RandomTextGenerator(7);
        IEnumerable<string> texts = TokenizationAssets.ReadAllCorpora().Concat(Enumerable.Range(0, 2_000).Select(_ => generator.Next()));

        int mismatches = 0;
        string? first = null;
        foreach (string text in texts)
        {
            long[] expected = fixture.Oracle.Expected(text);
            if (!expected.AsSpan().SequenceEqual(HuggingFaceOracle.Encode(fromVocabulary, text, buffer)))
            {
                mismatches++;
                first ??= HuggingFaceOracle.Escape(text);
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} mismatches; the first: \"{first}\"");
    }
}
