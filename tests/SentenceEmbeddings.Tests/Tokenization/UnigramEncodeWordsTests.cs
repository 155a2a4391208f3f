using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the chunking contract (<see cref="ISentenceTokenizer.EncodeWords"/>) on the tokenizer.json Unigram tokenizer.</summary>
public sealed class UnigramEncodeWordsTests
{
    public static TheoryData<string> StyleData => [.. UnigramOracle.Styles];

    [Theory]
    [MemberData(nameof(StyleData))]
    public void EncodeWords_Corpora_IdsAreTheTextTokensAndRangesReencodeToTheirCounts(string style)
    {
        using var oracle = UnigramOracle.Create(style);
        var generator = new UnigramTextGenerator(seed: 5);
        IEnumerable<string> texts = TokenizationAssets.ReadAllCorpora().Take(2000).Concat(UnigramOracleTests.EdgeCases)
            .Concat(Enumerable.Range(0, 2000).Select(_ => generator.Next()));
        var ids = new List<long>();
        var words = new List<WordSpan>();
        int checkedWords = 0;
        foreach (string text in texts)
        {
            ids.Clear();
            words.Clear();
            oracle.Tokenizer.EncodeWords(text, ids, words);

            long[] expected = oracle.Expected(text);
            Assert.Equal(expected[1..^1], ids);
            Assert.Equal(ids.Count, words.Sum(word => word.TokenCount));
            int previousEnd = 0;
            int idIndex = 0;
            foreach (WordSpan word in words)
            {
                Assert.True(word.Start >= previousEnd && word.End > word.Start && word.End <= text.Length, $"range {word} in \"{HuggingFaceOracle.Escape(text)}\"");
                previousEnd = word.End;

                // A plain word (no added token, no deleted characters at its edges) re-encodes alone to exactly its ids.
                string alone = text[word.Start..word.End];
                if (alone.All(c => char.IsLetterOrDigit(c) || c == ' ') && alone.Trim().Length > 0)
                {
                    Assert.Equal(ids.Skip(idIndex).Take(word.TokenCount), oracle.Expected(alone)[1..^1]);
                    checkedWords++;
                }

                idIndex += word.TokenCount;
            }
        }

        Assert.True(checkedWords > 10_000, $"{checkedWords} words re-encoded");
    }

    [Fact]
    public void EncodeWords_RangesAreInTheUnstrippedTextAndSpansOfWordsReencodeExactly()
    {
        using var oracle = UnigramOracle.Create("current");
        const string text = "  \u3000The quick  brown <mask> fox\u0001 jumps.  ";
        var ids = new List<long>();
        var words = new List<WordSpan>();

        oracle.Tokenizer.EncodeWords(text, ids, words);

        Assert.Equal("The", text[words[0].Start..words[0].End]);
        Assert.Equal(" <mask>", text[words[3].Start..words[3].End]);
        Assert.Equal(1, words[3].TokenCount);
        Assert.Equal(4001, ids[words.Take(3).Sum(w => w.TokenCount)]);
        Assert.EndsWith("jumps.", text[words[^1].Start..words[^1].End], StringComparison.Ordinal);

        // Any run of consecutive words, embedded alone, gives the ids those words gave.
        for (int a = 0; a < words.Count; a++)
        {
            for (int b = a; b < words.Count; b++)
            {
                int skip = words.Take(a).Sum(w => w.TokenCount);
                int take = words.Skip(a).Take(b - a + 1).Sum(w => w.TokenCount);
                Assert.Equal(ids.Skip(skip).Take(take), oracle.Expected(text[words[a].Start..words[b].End])[1..^1]);
            }
        }
    }
}
