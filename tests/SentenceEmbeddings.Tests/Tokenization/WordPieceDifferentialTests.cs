using System.Text;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Compares the tokenizer with HuggingFace's on random texts and on every code point, so differences show up that no hand-picked case covers.</summary>
[Collection(HuggingFaceOracleCollectionDefinition.Name)]
public sealed class WordPieceDifferentialTests(HuggingFaceOracleFixture fixture)
{
    private const int Seed = 20_240_617;

    [Fact]
    public void RandomTexts_MatchHuggingFace()
    {
        var generator = new RandomTextGenerator(Seed);
        string[] texts = [.. Enumerable.Range(0, 20_000).Select(_ => generator.Next())];

        (int mismatches, string report) = fixture.Oracle.Compare(texts);

        Assert.True(mismatches == 0, report);
    }

    [Theory]
    [InlineData("strip_accents", false, null, null)]
    [InlineData("lowercase", false, null, null)]
    [InlineData("strip_accents", true, "lowercase", false)]
    [InlineData("clean_text", false, null, null)]
    [InlineData("handle_chinese_chars", false, null, null)]
    public void RandomTexts_WithOtherNormalizerSettings_MatchHuggingFace(string setting, bool value, string? otherSetting, bool? otherValue)
    {
        (string, bool?)[] settings = otherSetting is null ? [(setting, value)] : [(setting, value), (otherSetting, otherValue)];
        using HuggingFaceOracle oracle = HuggingFaceOracle.Create(settings);
        var generator = new RandomTextGenerator(Seed + 1);
        string[] texts = [.. Enumerable.Range(0, 2_000).Select(_ => generator.Next())];

        (int mismatches, string report) = oracle.Compare(texts);

        Assert.True(mismatches == 0, report);
    }

    [Fact]
    public void Lowercase_WithoutStripAccents_FollowsRustFullMappings()
    {
        // Rust lower-cases U+0130 to "i\u0307"; .NET's invariant mapping keeps it. Only a vocabulary with the dot shows it.
        using HuggingFaceOracle oracle = HuggingFaceOracle.Create(["##\u0307", "\u0307", "i\u0307", "\U00010428", "##\U00010428"], ("strip_accents", false));
        string[] texts =
        [
            "\u0130", "\u0130stanbul", "x\u0130", "\u0130\u0130", "I\u0307", "\u0130\u0301", "ΟΔΟΣ ὈΔΥΣΣΕΎΣ", "\u1E9E STRASSE",
            "\u2126 \u212A \u212B", "\U00010400\U00010400 \U00010400", "ǅ ǈ ǋ ǲ", "\u0130 \u0130",
        ];

        (int mismatches, string report) = oracle.Compare(texts);

        Assert.True(mismatches == 0, report);
    }

    [Fact]
    public void EveryCodePoint_BetweenLetters_MatchesHuggingFace()
    {
        // Each code point in a word of its own (" a{c}b "), 256 per text; this pins the Unicode tables to HuggingFace's.
        var texts = new List<string>();
        var builder = new StringBuilder();
        int inText = 0;
        for (int codePoint = 1; codePoint <= 0x10FFFF; codePoint++)
        {
            if (codePoint is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }

            builder.Append(" a").Append(char.ConvertFromUtf32(codePoint)).Append("b ");
            if (++inText == 256)
            {
                texts.Add(builder.ToString());
                builder.Clear();
                inText = 0;
            }
        }

        texts.Add(builder.ToString());

        (int mismatches, string report) = fixture.Oracle.Compare(texts);

        Assert.True(mismatches == 0, report);
    }
}
