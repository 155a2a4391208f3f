using System.Globalization;
using System.Text;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the tokenizer.json Unigram tokenizer against HuggingFace's Rust tokenizer for both converter styles and both folder kinds that hold tokenizer.json.</summary>
public sealed class UnigramOracleTests
{
    // Texts that exercised a difference at some point, or sit on an edge of the pipeline.
    public static readonly string[] EdgeCases =
    [
        string.Empty, " ", "   ", "\t\n", "\u00A0", "\u3000", "\u200B", "\uFEFF", "a\u200B", "\u200Bb", "\uFEFFabc", "abc\uFEFF",
        "ab \u0001 cd", "\u0001\u0002\u0003", "\u001C a \u001F", "\u0085x\u0085", "x\u007Fy", "\u008F\u009F", "a\u000Bb\u000Cc",
        "111", "1111", "11111111111", "1234567890123456789012345678901234567890", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "  a  b  ", "a\tb\nc\r\nd", "a    b", "a \u00A0 b", "\u3000中文\u3000", "中文中文中文中文", "python开发工程师",
        "<s>", "</s>", "<pad>", "<unk>", "<mask>", "a <mask> b", "a<mask>b", "a   <mask>", "<mask>   a", "</s> x", "x <s>y</s> z",
        "<s><s>", "<<s>>", "<mas", "x\u0301", "e\u0301\u0302", "\u00C5ngstr\u00F6m", "\uFB01ne", "\u2460", "\uFF76\uFF80\uFF76\uFF85",
        "\uFF21\u0301", "\u1100\u1161\u11A8", "😀", "👨‍👩‍👧‍👦 family", "🇩🇪🇯🇵", "𠀀𠀁𠀂", "a𠀀b", "\u2581", "\u2581\u2581a", "a\u2581b",
        " \u2581 ", "▁the", "The quick brown fox jumps over the lazy dog.", "Hello, world!", "don't stop", "e-mail: a@b.org",
        "\u0600\u0601abc", "\u202Eabc\u202C", "\u00AD", "a\u00ADb", "\u034F", "\uFFFD", "\uE000", "ǅ", "ﬃ", "℃", "½", "²", "ⅷ",
    ];

    public static TheoryData<string, bool> StylesAndKinds => new()
    {
        { "2021", false }, { "2021", true }, { "current", false }, { "current", true },
    };

    public static TheoryData<string> StyleData => [.. UnigramOracle.Styles];

    [Theory]
    [MemberData(nameof(StylesAndKinds))]
    public void Corpora_MatchHuggingFace(string style, bool withSentencePieceModel)
    {
        using var oracle = UnigramOracle.Create(style, withSentencePieceModel);
        Assert.IsType<UnigramTokenizer>(oracle.Tokenizer);
        IReadOnlyList<string> texts = TokenizationAssets.ReadAllCorpora();

        (int mismatches, string report) = oracle.Compare(texts);

        Assert.True(mismatches == 0, $"{texts.Count} texts: {report}");
    }

    [Theory]
    [MemberData(nameof(StyleData))]
    public void EdgeCases_MatchHuggingFace(string style)
    {
        using var oracle = UnigramOracle.Create(style);

        (int mismatches, string report) = oracle.Compare(EdgeCases, shown: 20);

        Assert.True(mismatches == 0, report);
    }

    [Theory]
    [MemberData(nameof(StyleData))]
    public void RandomStrings_Default_MatchHuggingFace(string style) => AssertRandomStringsMatch(style, DefaultRandomCount);

    [Theory]
    [MemberData(nameof(StyleData))]
    [Trait("Category", "Long")]
    public void RandomStrings_Long_MatchHuggingFace(string style) => AssertRandomStringsMatch(style, LongRandomCount);

    [Theory]
    [MemberData(nameof(StyleData))]
    public void Corpora_Truncated_KeepStartAndEndAsHuggingFace(string style)
    {
        using var oracle = UnigramOracle.Create(style);
        int mismatches = 0;
        int truncatedTexts = 0;
        var report = new StringBuilder();
        foreach (int maxLength in (int[])[128, 16, 3, 2])
        {
            long[] buffer = new long[maxLength];
            foreach (string text in TokenizationAssets.ReadAllCorpora().Concat(EdgeCases))
            {
                long[] full = oracle.Expected(text);
                bool expectedTruncated = full.Length > maxLength;
                long[] expected = expectedTruncated ? [.. full[..(maxLength - 1)], full[^1]] : full;
                long[] actual = UnigramOracle.Actual(oracle.Tokenizer, text, buffer, out bool truncated);
                truncatedTexts += truncated ? 1 : 0;
                if ((!expected.AsSpan().SequenceEqual(actual) || truncated != expectedTruncated) && mismatches++ < 5)
                {
                    report.AppendLine(CultureInfo.InvariantCulture, $"max {maxLength}: \"{HuggingFaceOracle.Escape(text)}\" expected {string.Join(',', expected)} got {string.Join(',', actual)}");
                }

                Assert.Equal(0, actual[0]);
                Assert.Equal(2, actual[^1]);
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} mismatches:{Environment.NewLine}{report}");
        Assert.True(truncatedTexts > 0);
    }

    [Theory]
    [MemberData(nameof(StyleData))]
    public void LongTexts_TruncatedThroughPrefixes_MatchHuggingFace(string style)
    {
        // Long enough for the growing-prefix path: every corpus paragraph joined, with and without spaces.
        using var oracle = UnigramOracle.Create(style);
        string english = string.Join(' ', TokenizationAssets.ReadCorpus("corpus/long.txt"));
        string chinese = string.Concat(TokenizationAssets.ReadCorpus("corpus/zh.txt"));
        foreach (string text in (string[])[english, chinese, english[..5000] + "  <mask>  " + english[5000..20000], " \u3000" + english[..3000] + " \u0001"])
        {
            foreach (int maxLength in (int[])[128, 512, 8192])
            {
                long[] full = oracle.Expected(text);
                long[] expected = full.Length > maxLength ? [.. full[..(maxLength - 1)], full[^1]] : full;
                long[] actual = UnigramOracle.Actual(oracle.Tokenizer, text, new long[maxLength], out bool truncated);
                Assert.Equal(expected, actual);
                Assert.Equal(full.Length > maxLength, truncated);
            }
        }
    }

    private const int DefaultRandomCount = 20_000;
    private const int LongRandomCount = 200_000;

    private static void AssertRandomStringsMatch(string style, int count)
    {
        using var oracle = UnigramOracle.Create(style);
        var generator = new UnigramTextGenerator(seed: 17);
        (int mismatches, string report) = oracle.Compare(Enumerable.Range(0, count).Select(_ => generator.Next()), shown: 10);

        Assert.True(mismatches == 0, $"{count} random strings: {report}");
    }
}
