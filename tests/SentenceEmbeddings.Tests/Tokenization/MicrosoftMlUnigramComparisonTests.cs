using SentenceEmbeddings.Tokenization;
using Xunit.Abstractions;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Measures Microsoft.ML.Tokenizers' <c>CreateFromTokenizerJson</c> and the <c>.model</c> fallback against HuggingFace, the figures behind docs/decisions.md ("Unigram from tokenizer.json").</summary>
/// <remarks>It fails when Microsoft.ML.Tokenizers starts to match HuggingFace, which is the moment to reconsider our own Unigram tokenizer.</remarks>
public sealed class MicrosoftMlUnigramComparisonTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(UnigramOracleTests.StyleData), MemberType = typeof(UnigramOracleTests))]
    [Trait("Category", "Long")]
    public void CreateFromTokenizerJson_StillDiffersFromHuggingFace(string style)
    {
        using var oracle = UnigramOracle.Create(style);
        XlmRobertaUnigramTokenizer fallback = XlmRobertaUnigramTokenizer.Load(UnigramOracle.ModelPath);
        using FileStream stream = File.OpenRead(UnigramOracle.JsonPath(style));
        var microsoftMl = Microsoft.ML.Tokenizers.SentencePieceTokenizer.CreateFromTokenizerJson(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        var generator = new UnigramTextGenerator(seed: 17);
        long[] buffer = new long[200_000];
        int totalMicrosoftMl = 0;
        foreach ((string name, IReadOnlyList<string> texts) in (IEnumerable<(string, IReadOnlyList<string>)>)[
            ("corpora", TokenizationAssets.ReadAllCorpora()),
            ("edge cases", UnigramOracleTests.EdgeCases),
            ("random", [.. Enumerable.Range(0, 20_000).Select(_ => generator.Next())])])
        {
            int fallbackMismatches = 0;
            int microsoftMlMismatches = 0;
            foreach (string text in texts)
            {
                long[] expected = oracle.Expected(text);
                fallbackMismatches += expected.AsSpan().SequenceEqual(UnigramOracle.Actual(fallback, text, buffer, out _)) ? 0 : 1;
                long[] ids = [0, .. microsoftMl.EncodeToIds(UnigramOracle.PythonStrip(text), false, false).Select(id => (long)id), 2];
                microsoftMlMismatches += expected.AsSpan().SequenceEqual(ids) ? 0 : 1;
            }

            totalMicrosoftMl += microsoftMlMismatches;
            output.WriteLine($"{style} {name} ({texts.Count} texts): CreateFromTokenizerJson {microsoftMlMismatches} mismatches, .model fallback {fallbackMismatches}");
        }

        Assert.True(totalMicrosoftMl > 0, "Microsoft.ML.Tokenizers now matches HuggingFace here; reconsider docs/decisions.md.");
    }
}
