using SentenceEmbeddings.Tests.Chunking;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the chunk windows: within the window, cut only between words, covering the text, overlapping as configured, capped.</summary>
public sealed class TextChunkerTests
{
    public static TheoryData<string, int, int?, string?> Cases => new()
    {
        { "minilm", 256, null, null },
        { "minilm", 256, 0, null },
        { "minilm", 256, 127, "query: " },
        { "arctic", 512, 64, "Represent this sentence for searching relevant passages: " },
        { "unigram", 128, null, null },
        { "unigram", 128, 16, "query: " },
        { "minilm", 24, 5, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Split_LongTexts_WindowsFitCutBetweenWordsAndCoverTheText(string name, int window, int? overlap, string? prompt)
    {
        (ISentenceTokenizer inner, SentenceTokenizer tokenizer, TextChunker chunker, int promptTokens) = Setup(name, window, overlap, prompt);
        long[] buffer = new long[window];
        foreach (string text in LongDocuments.English(2).Concat(LongDocuments.Chinese(1)).Concat(LongDocuments.Odd()))
        {
            var words = new List<WordSpan>();
            inner.EncodeWords(text, [], words);
            var ranges = new List<Range>();

            bool truncated = chunker.Split(text, prompt, promptTokens, ranges);

            Assert.False(truncated);
            Assert.True(ranges.Count > 1, "a long text is more than one window");
            (int Start, int End)[] spans = [.. ranges.Select(r => (r.Start.Value, r.End.Value))];
            foreach ((int start, int end) in spans)
            {
                int count = tokenizer.Tokenize(prompt + text[start..end], buffer, out bool cut);
                Assert.False(cut, $"{name}: the window [{start}, {end}) does not fit {window} tokens");
                Assert.True(count <= window);
                Assert.All(words, w => Assert.True(
                    w.End <= start || w.Start >= end || (w.Start >= start && w.End <= end) || IsOversized(w, window),
                    $"{name}: the window [{start}, {end}) cuts the word [{w.Start}, {w.End}) '{text[w.Start..w.End]}'"));
            }

            Assert.True(spans.Zip(spans.Skip(1)).All(p => p.First.Start < p.Second.Start && p.First.End < p.Second.End), "windows do not move forward");
            for (int c = 0; c < text.Length; c++)
            {
                if (!char.IsWhiteSpace(text[c]))
                {
                    Assert.True(spans.Any(s => c >= s.Start && c < s.End), $"{name}: the character {c} '{text[c]}' is in no window");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Split_ConsecutiveWindows_OverlapByTheConfiguredTokensWithinOneWord(string name, int window, int? overlap, string? prompt)
    {
        (ISentenceTokenizer inner, SentenceTokenizer tokenizer, TextChunker chunker, int promptTokens) = Setup(name, window, overlap, prompt);
        int expected = chunker.OverlapFor(window - 2 - promptTokens);
        Assert.Equal(overlap ?? ((window - 2 - promptTokens) / 8), expected);
        foreach (string text in LongDocuments.English(3))
        {
            var words = new List<WordSpan>();
            inner.EncodeWords(text, [], words);
            var ranges = new List<Range>();
            chunker.Split(text, prompt, promptTokens, ranges);
            for (int c = 1; c < ranges.Count; c++)
            {
                (int previousEnd, int start) = (ranges[c - 1].End.Value, ranges[c].Start.Value);
                WordSpan[] shared = [.. words.Where(w => w.Start >= start && w.End <= previousEnd)];
                int sharedTokens = shared.Sum(w => w.TokenCount);

                Assert.True(sharedTokens >= expected, $"windows {c - 1} and {c} share {sharedTokens} tokens, fewer than {expected}");
                Assert.True(shared.Length == 0 || sharedTokens - shared[0].TokenCount < expected, $"windows {c - 1} and {c} share {sharedTokens} tokens, more than one word over {expected}");
            }
        }
    }

    [Fact]
    public void Split_PrefersASentenceEndInTheLastQuarter()
    {
        var tokenizer = new SentenceTokenizer(EncodeWordsTests.Load("minilm"), 256, lowerCaseInput: false);
        var chunker = new TextChunker(tokenizer, 0, maxChunks: 10_000);
        string text = LongDocuments.English(1).First();
        var ranges = new List<Range>();

        chunker.Split(text, null, 0, ranges);

        // long.txt's sentences are shorter than a quarter window, so every window but the last ends a sentence.
        Assert.All(ranges.SkipLast(1), r => Assert.Contains(text[r.End.Value - 1], ".!?;"));
    }

    [Fact]
    public void Split_PastTheCap_KeepsTheFirstWindowsAndSaysSo()
    {
        var tokenizer = new SentenceTokenizer(EncodeWordsTests.Load("minilm"), 256, lowerCaseInput: false);
        var chunker = new TextChunker(tokenizer, null, maxChunks: 3);
        string text = LongDocuments.English(1).First();
        var ranges = new List<Range>();

        bool truncated = chunker.Split(text, null, 0, ranges);

        Assert.True(truncated);
        Assert.Equal(3, ranges.Count);
        Assert.Equal(0, ranges[0].Start.Value);
    }

    [Fact]
    public void Split_ChineseWithoutSpacesForUnigram_CutsTheRunIntoFittingWindows()
    {
        var tokenizer = new SentenceTokenizer(EncodeWordsTests.Load("unigram"), 128, lowerCaseInput: false);
        var chunker = new TextChunker(tokenizer, null, maxChunks: 10_000);
        string text = LongDocuments.Chinese(1).First().Replace("\n", string.Empty, StringComparison.Ordinal);
        var ranges = new List<Range>();
        long[] buffer = new long[128];

        chunker.Split(text, null, 0, ranges);

        Assert.Equal(text, string.Concat(ranges.Select(r => text[r])));
        Assert.All(ranges, r => Assert.False(tokenizer.Tokenize(text[r], buffer, out bool cut) > 128 || cut));
        Assert.True(ranges.SkipLast(1).Count(r => "。！？；".Contains(text[r.End.Value - 1], StringComparison.Ordinal)) >= ranges.Count / 2, "most windows end a sentence");
    }

    [Fact]
    public void CountTokens_IsTheUntruncatedLengthWithSpecialTokens()
    {
        ISentenceTokenizer inner = EncodeWordsTests.Load("minilm");
        var chunker = new TextChunker(new SentenceTokenizer(inner, 256, lowerCaseInput: false), null, 128);
        string text = LongDocuments.English(1).First();
        long[] buffer = new long[100_000];

        Assert.Equal(inner.Encode(text, buffer, out _), chunker.CountTokens(text));
    }

    private static (ISentenceTokenizer Inner, SentenceTokenizer Tokenizer, TextChunker Chunker, int PromptTokens) Setup(string name, int window, int? overlap, string? prompt)
    {
        ISentenceTokenizer inner = EncodeWordsTests.Load(name);
        var tokenizer = new SentenceTokenizer(inner, window, lowerCaseInput: false);
        int promptTokens = prompt is null ? 0 : tokenizer.Tokenize(prompt).Length - 2;
        return (inner, tokenizer, new TextChunker(tokenizer, overlap, maxChunks: 10_000), promptTokens);
    }

    // A word longer than the window itself is cut between characters (a run of Chinese without spaces for a Unigram model).
    private static bool IsOversized(WordSpan word, int window) => word.TokenCount > window / 2;
}
