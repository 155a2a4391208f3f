using SentenceEmbeddings.Tests.Chunking;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks <see cref="ISentenceTokenizer.EncodeWords"/>: the same ids as <c>Encode</c>, and word ranges whose substrings tokenize to exactly their ids.</summary>
public sealed class EncodeWordsTests
{
    public static TheoryData<string> Tokenizers => ["minilm", "arctic", "mpnet", "unigram"];

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void EncodeWords_WholeText_GivesTheIdsOfEncode(string name)
    {
        ISentenceTokenizer tokenizer = Load(name);
        long[] buffer = new long[200_000];
        foreach (string text in Texts())
        {
            var ids = new List<long>();
            var words = new List<WordSpan>();
            tokenizer.EncodeWords(text, ids, words);
            int count = tokenizer.Encode(text, buffer, out bool truncated);

            Assert.False(truncated);
            Assert.Equal(buffer.AsSpan(1, count - 2).ToArray(), ids.ToArray());
            Assert.Equal(ids.Count, words.Sum(w => w.TokenCount));
            Assert.All(words, w => Assert.True(w.TokenCount > 0 && w.Start < w.End));
            Assert.True(words.Zip(words.Skip(1)).All(p => p.First.End <= p.Second.Start), "words overlap or are out of order");
        }
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void EncodeWords_RunsOfWords_TokenizeAloneToTheirIds(string name)
    {
        ISentenceTokenizer tokenizer = Load(name);
        long[] buffer = new long[200_000];
        var random = new Random(14);
        foreach (string text in Texts())
        {
            var ids = new List<long>();
            var words = new List<WordSpan>();
            tokenizer.EncodeWords(text, ids, words);
            int[] firstId = new int[words.Count + 1];
            for (int w = 0; w < words.Count; w++)
            {
                firstId[w + 1] = firstId[w] + words[w].TokenCount;
            }

            for (int trial = 0; trial < 40; trial++)
            {
                int a = random.Next(words.Count);
                int b = Math.Min(words.Count - 1, a + random.Next(60));
                string run = text[words[a].Start..words[b].End];
                int count = tokenizer.Encode(run, buffer, out _);

                Assert.True(
                    ids.GetRange(firstId[a], firstId[b + 1] - firstId[a]).SequenceEqual(buffer.AsSpan(1, count - 2).ToArray()),
                    $"{name}: the words {a}..{b} '{Shorten(run)}' tokenize alone to other ids");
            }
        }
    }

    [Fact]
    public void EncodeWords_WordPiece_KeepsPiecesAndAccentsInTheirWord()
    {
        ISentenceTokenizer tokenizer = Load("minilm");
        const string text = "  Unbelievably re\u0301sume\u0301s, 中文!";
        var words = new List<WordSpan>();
        tokenizer.EncodeWords(text, [], words);

        string[] ranges = [.. words.Select(w => text[w.Start..w.End])];

        Assert.Equal(["Unbelievably", "re\u0301sume\u0301s", ",", "中", "文", "!"], ranges);
        Assert.True(words[0].TokenCount > 1, "'unbelievably' is several word pieces in one word");
    }

    [Fact]
    public void EncodeWords_Unigram_WordsAreRunsBetweenWhitespace()
    {
        ISentenceTokenizer tokenizer = Load("unigram");
        const string text = " Hello,  world\n劳动合同制度，明确 ";
        var words = new List<WordSpan>();
        tokenizer.EncodeWords(text, [], words);

        Assert.Equal(["Hello,", "world", "劳动合同制度，明确"], words.Select(w => text[w.Start..w.End]));
    }

    internal static ISentenceTokenizer Load(string name) => name switch
    {
        "minilm" => TokenizerLoader.Load(TestModels.MiniLM),
        "arctic" => TokenizerLoader.Load(TestModels.Arctic),
        "mpnet" => TokenizerLoader.Load(Path.Combine(AppContext.BaseDirectory, "models-config", "all-mpnet-base-v2")),
        _ => XlmRobertaUnigramTokenizer.Load(Path.Combine(TestModels.Assets, "sentencepiece", "unigram-4k.model")),
    };

    private static IEnumerable<string> Texts() => LongDocuments.English(3).Concat(LongDocuments.Chinese(2)).Concat(LongDocuments.Odd());

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
