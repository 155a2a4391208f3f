using System.Diagnostics;
using System.Text;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the tokenizer against the golden reference files, hand-picked HuggingFace ids, loading rules, limits and its no-allocation promise.</summary>
public sealed class WordPieceTokenizerTests
{
    private static readonly Lazy<WordPieceTokenizer> MiniLM = new(() => WordPieceTokenizerLoader.Load(TokenizationAssets.MiniLMDirectory));

    private static readonly Lazy<WordPieceTokenizer> Arctic = new(() => WordPieceTokenizerLoader.Load(TokenizationAssets.ArcticDirectory));

    public static TheoryData<string> GoldenFiles => [TokenizationAssets.MiniLMGoldenFile, TokenizationAssets.ArcticGoldenFile];

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void Encode_GoldenItems_GivesReferenceIdsAndTruncation(string goldenFile)
    {
        (int maxLength, IReadOnlyList<GoldenItem> items) = TokenizationAssets.ReadGolden(goldenFile);
        WordPieceTokenizer tokenizer = goldenFile == TokenizationAssets.MiniLMGoldenFile ? MiniLM.Value : Arctic.Value;
        Assert.Equal(42, items.Count);

        long[] ids = new long[maxLength];
        foreach (GoldenItem item in items)
        {
            int count = tokenizer.Encode(item.Text, ids, out bool truncated);

            Assert.True(item.TokenIds.AsSpan().SequenceEqual(ids.AsSpan(0, count)), $"{item.Id}: ids differ");
            Assert.True(item.Truncated == truncated, $"{item.Id}: truncated should be {item.Truncated}");
        }
    }

    [Theory]
    [InlineData("", new long[] { 101, 102 })]
    [InlineData(" \t\r\n\u00A0\u3000\u2009 ", new long[] { 101, 102 })]
    [InlineData("Héllo naïve café", new long[] { 101, 7592, 15743, 7668, 102 })]
    [InlineData("spaces\tand\nnewlines", new long[] { 101, 7258, 1998, 2047, 12735, 102 })]
    [InlineData("a 😀 b", new long[] { 101, 1037, 100, 1038, 102 })]
    [InlineData("hello unaffable", new long[] { 101, 7592, 14477, 20961, 3468, 102 })]
    [InlineData("x[SEP]y", new long[] { 101, 1060, 102, 1061, 102 })]
    [InlineData("[CLS][MASK] [PAD][UNK]", new long[] { 101, 101, 103, 0, 100, 102 })]
    [InlineData("[cls]", new long[] { 101, 1031, 18856, 2015, 1033, 102 })]
    [InlineData("bell\u0007char", new long[] { 101, 4330, 7507, 2099, 102 })]
    [InlineData("e\u0301\u0323x \u00E9\u0323", new long[] { 101, 4654, 1041, 102 })]
    [InlineData("US $5.00 a<b c=d", new long[] { 101, 2149, 1002, 1019, 1012, 4002, 1037, 1026, 1038, 1039, 1027, 1040, 102 })]
    [InlineData("€5 ©2024", new long[] { 101, 1574, 2629, 1075, 11387, 18827, 102 })] // non-ASCII symbols stay in the word
    [InlineData("a\u1FEFb x\u037Ey", new long[] { 101, 1037, 1036, 1038, 1060, 1025, 1061, 102 })] // NFD gives '`' and ';' first
    [InlineData("\u00A0\u2028x\u0085y\u000By", new long[] { 101, 1060, 2100, 2100, 102 })] // NEL and VT are Cc: deleted, not spaces
    [InlineData("中文abc", new long[] { 101, 1746, 1861, 5925, 102 })]
    public void Encode_SpecificText_GivesHuggingFaceIds(string text, long[] expected)
    {
        long[] ids = new long[512];

        int count = MiniLM.Value.Encode(text, ids, out bool truncated);

        Assert.Equal(expected, ids[..count]);
        Assert.False(truncated);
    }

    [Fact]
    public void Encode_TextLongerThanIds_CutsInsideAWordAndKeepsSep()
    {
        long[] ids = new long[4];

        int count = MiniLM.Value.Encode("hello unaffable", ids, out bool truncated);

        Assert.Equal([101, 7592, 14477, 102], ids[..count]);
        Assert.True(truncated);
    }

    [Fact]
    public void Encode_ExactlyFullWithOneTokenToSpare_IsNotTruncated()
    {
        long[] ids = new long[6];

        int count = MiniLM.Value.Encode("hello unaffable", ids, out bool truncated);

        Assert.Equal([101, 7592, 14477, 20961, 3468, 102], ids[..count]);
        Assert.False(truncated);
    }

    [Fact]
    public void Encode_OnlyRoomForClsAndSep_GivesClsSepAndTruncatedUnlessEmpty()
    {
        long[] ids = new long[2];

        int count = MiniLM.Value.Encode("hello", ids, out bool truncated);
        int emptyCount = MiniLM.Value.Encode("  \u200B ", ids, out bool emptyTruncated);

        Assert.Equal(2, count);
        Assert.True(truncated);
        Assert.Equal([101, 102], ids);
        Assert.Equal(2, emptyCount);
        Assert.False(emptyTruncated);
    }

    [Fact]
    public void Encode_IdsShorterThanTwo_Throws()
    {
        Assert.Throws<ArgumentException>(() => MiniLM.Value.Encode("hello", new long[1], out _));
    }

    [Fact]
    public void Encode_TenMegabyteText_StopsReadingOnceTheIdsAreFull()
    {
        // Chinese text is the slowest to tokenize in full (over a second for 10 MB); a truncated encode reads a few thousand chars.
        string line = string.Concat(TokenizationAssets.ReadCorpus("corpus/zh.txt"));
        var builder = new StringBuilder(10_000_000 + line.Length);
        while (builder.Length < 10_000_000)
        {
            builder.Append(line);
        }

        string text = builder.ToString();
        long[] ids = new long[512];
        MiniLM.Value.Encode(text, ids, out _);

        var elapsed = TimeSpan.MaxValue;
        int count = 0;
        bool truncated = false;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var stopwatch = Stopwatch.StartNew();
            count = MiniLM.Value.Encode(text, ids, out truncated);
            elapsed = TimeSpan.FromTicks(Math.Min(elapsed.Ticks, stopwatch.Elapsed.Ticks));
        }

        Assert.Equal(512, count);
        Assert.True(truncated);
        Assert.Equal(102, ids[^1]);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(100), $"Encoding took {elapsed.TotalMilliseconds} ms, as if the whole text were read.");
    }

    [Fact]
    public void Encode_LoneSurrogate_IsDeletedLikeReplacementCharacter()
    {
        long[] ids = new long[64];
        string[] texts = ["ab\uD800cd", "ab\uDC00cd", "ab\uFFFDcd", "abcd"];

        long[][] results = [.. texts.Select(text => HuggingFaceOracle.Encode(MiniLM.Value, text, ids))];

        Assert.All(results, result => Assert.Equal(results[3], result));
        Assert.Equal(
            HuggingFaceOracle.Encode(MiniLM.Value, "x \uFFFD y", ids),
            HuggingFaceOracle.Encode(MiniLM.Value, "x \uD83D y", ids));
        Assert.Equal([101, 100, 102], HuggingFaceOracle.Encode(MiniLM.Value, "\uD83D\uDE00\uDE00", ids));
    }

    [Fact]
    public void Encode_WordOf101Characters_IsOneUnknownToken()
    {
        long[] ids = new long[512];

        Assert.Equal([101, 100, 102], HuggingFaceOracle.Encode(MiniLM.Value, new string('a', 101), ids));
        Assert.Equal([101, 100, 102], HuggingFaceOracle.Encode(MiniLM.Value, string.Concat(Enumerable.Repeat("é", 101)), ids));
    }

    [Fact]
    public void Encode_WordOf100Characters_IsSplitIntoPieces()
    {
        long[] ids = new long[512];

        // What HuggingFace gives: "aa", 48 × "##aa", "##a".
        long[] expected = [101, 13360, .. Enumerable.Repeat(11057L, 48), 2050, 102];
        Assert.Equal(expected, HuggingFaceOracle.Encode(MiniLM.Value, new string('a', 100), ids));

        // The limit counts code points after normalization: 100 letters with stripped accents are still 100.
        Assert.Equal(expected, HuggingFaceOracle.Encode(MiniLM.Value, string.Concat(Enumerable.Repeat("a\u0301", 100)), ids));
    }

    [Fact]
    public void Load_VocabularyFileAndTokenizerJson_GiveIdenticalResults()
    {
        long[] fromJson = new long[100_000];
        long[] fromVocabulary = new long[100_000];
        var generator = new RandomTextGenerator(11);
        IEnumerable<string> texts = TokenizationAssets.ReadAllCorpora().Concat(Enumerable.Range(0, 2_000).Select(_ => generator.Next()));

        Assert.True(File.Exists(Path.Combine(TokenizationAssets.MiniLMDirectory, "tokenizer.json")));
        Assert.False(File.Exists(Path.Combine(TokenizationAssets.ArcticDirectory, "tokenizer.json")));
        foreach (string text in texts)
        {
            int jsonCount = MiniLM.Value.Encode(text, fromJson, out _);
            int vocabularyCount = Arctic.Value.Encode(text, fromVocabulary, out _);
            Assert.True(
                fromJson.AsSpan(0, jsonCount).SequenceEqual(fromVocabulary.AsSpan(0, vocabularyCount)),
                $"\"{HuggingFaceOracle.Escape(text)}\" differs");
        }
    }

    [Fact]
    public void Load_BothFolders_ReadSpecialTokenIdsAndVocabularySize()
    {
        foreach (WordPieceTokenizer tokenizer in new[] { MiniLM.Value, Arctic.Value })
        {
            Assert.Equal(101, tokenizer.ClsId);
            Assert.Equal(102, tokenizer.SepId);
            Assert.Equal(0, tokenizer.PadId);
            Assert.Equal(100, tokenizer.UnknownId);
            Assert.Equal(30522, tokenizer.VocabularySize);
        }
    }

    [Fact]
    public void Load_TokenizerJsonTruncationBlock_IsIgnored()
    {
        // The hub's tokenizer.json says max_length 128; the caller's span decides the length.
        string text = string.Join(' ', Enumerable.Repeat("word", 300));
        long[] ids = new long[512];

        int count = MiniLM.Value.Encode(text, ids, out bool truncated);

        Assert.Equal(302, count);
        Assert.False(truncated);
    }

    [Fact]
    public void Load_MissingFolder_ThrowsFileNotFoundNamingThePath()
    {
        string folder = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => WordPieceTokenizerLoader.Load(folder));

        Assert.Contains(folder, exception.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.txt", exception.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(folder, "vocab.txt"), exception.FileName);
    }

    [Fact]
    public void Load_FolderWithoutVocabulary_ThrowsFileNotFoundNamingThePathAndTheFix()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer_config.json"), "{}");

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => WordPieceTokenizerLoader.Load(folder.Path));

        Assert.Contains(folder.Path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.json", exception.Message, StringComparison.Ordinal);
        Assert.Contains("huggingface-cli download", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model", "type", "BPE", "'BPE', not 'WordPiece'")]
    [InlineData("normalizer", "type", "NFKC", "'NFKC', not 'BertNormalizer'")]
    [InlineData("pre_tokenizer", "type", "Whitespace", "'Whitespace', not 'BertPreTokenizer'")]
    public void Load_TokenizerJsonOfAnotherKind_ThrowsInvalidModelFileNamingTheFile(string section, string key, string value, string message)
    {
        using var folder = new TempDirectory();
        string json = File.ReadAllText(Path.Combine(TokenizationAssets.MiniLMDirectory, "tokenizer.json"));
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        root[section]![key] = value;
        string path = Path.Combine(folder.Path, "tokenizer.json");
        File.WriteAllText(path, root.ToJsonString());

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => WordPieceTokenizerLoader.Load(folder.Path));

        Assert.Equal(path, exception.FilePath);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedTokenizerJson_ThrowsInvalidModelFileNamingTheFile()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "tokenizer.json");
        File.WriteAllText(path, "{ \"model\": ");

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => WordPieceTokenizerLoader.Load(folder.Path));

        Assert.Equal(path, exception.FilePath);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(exception.InnerException);
    }

    [Fact]
    public void Load_NormalizedAddedToken_ThrowsInvalidModelFile()
    {
        using var folder = new TempDirectory();
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizationAssets.MiniLMDirectory, "tokenizer.json")))!;
        root["added_tokens"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse(
            """{"id": 30522, "content": "covid", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": false}"""));
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), root.ToJsonString());

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => WordPieceTokenizerLoader.Load(folder.Path));

        Assert.Contains("'covid'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_VocabularyFileWithCrLfAndConfigSettings_ReadsIdsAndCasing()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "vocab.txt"), "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nHello\r\nhello\r\n##lo\r\nHel\r\n a\r\n");
        File.WriteAllText(
            Path.Combine(folder.Path, "tokenizer_config.json"),
            """{"do_lower_case": false, "cls_token": {"content": "[CLS]", "normalized": false}, "mask_token": "[MASK]"}""");
        long[] ids = new long[16];

        WordPieceTokenizer tokenizer = WordPieceTokenizerLoader.Load(folder.Path);

        Assert.Equal((2, 3, 0, 1, 9), (tokenizer.ClsId, tokenizer.SepId, tokenizer.PadId, tokenizer.UnknownId, tokenizer.VocabularySize));
        Assert.True(tokenizer.Vocabulary.TryGetId(" a", out int spaced) && spaced == 8, "whitespace inside a token is kept");

        // Cased: no lower-casing and, with strip_accents unset, no accent stripping either.
        Assert.Equal([2, 4, 5, 4, 6, 1, 3], HuggingFaceOracle.Encode(tokenizer, "Hello hello Hellolo Hello\u0301", ids));
    }

    [Fact]
    public void Load_MPNetStyleVocabularyAndConfigs_UsesTheConfiguredSpecialTokens()
    {
        // all-mpnet-base-v2's layout: <s> <pad> </s> <unk>, the BERT vocabulary, then <mask>; its configs name them.
        using var folder = new TempDirectory();
        string[] bert = File.ReadAllText(Path.Combine(TokenizationAssets.MiniLMDirectory, "vocab.txt")).Split("\r\n")[..30522];
        File.WriteAllLines(Path.Combine(folder.Path, "vocab.txt"), ["<s>", "<pad>", "</s>", "<unk>", .. bert, "<mask>"]);
        File.WriteAllText(
            Path.Combine(folder.Path, "tokenizer_config.json"),
            """{"do_lower_case": true, "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "[UNK]", "pad_token": "<pad>", "mask_token": "<mask>", "tokenize_chinese_chars": true, "strip_accents": null, "model_max_length": 512, "tokenizer_class": "MPNetTokenizer"}""");
        File.WriteAllText(
            Path.Combine(folder.Path, "special_tokens_map.json"),
            """{"bos_token": "<s>", "eos_token": "</s>", "unk_token": "[UNK]", "sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>", "mask_token": {"content": "<mask>", "single_word": false, "lstrip": true, "rstrip": false, "normalized": false}}""");
        long[] ids = new long[64];

        WordPieceTokenizer tokenizer = WordPieceTokenizerLoader.Load(folder.Path);

        Assert.Equal((0, 2, 1, 104, 30527), (tokenizer.ClsId, tokenizer.SepId, tokenizer.PadId, tokenizer.UnknownId, tokenizer.VocabularySize));
        Assert.Equal([0, 2027, 2007, 1041, 3235, 2], HuggingFaceOracle.Encode(tokenizer, "This is a test", ids));
        Assert.Equal([0, 0, 30526, 104, 2, 2], HuggingFaceOracle.Encode(tokenizer, "<s> <mask>😀</s>", ids));
    }

    [Fact]
    public void Encode_ManyThreadsAtOnce_GiveTheSameIdsAsOneThread()
    {
        IReadOnlyList<string> texts = TokenizationAssets.ReadCorpus("stsb/test.tsv");
        long[][] expected = [.. texts.Select(text => HuggingFaceOracle.Encode(MiniLM.Value, text, new long[256]))];

        int mismatches = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            long[] ids = new long[256];
            for (int i = worker; i < texts.Count * 4; i += 8)
            {
                int index = i % texts.Count;
                int count = MiniLM.Value.Encode(texts[index], ids, out _);
                if (!expected[index].AsSpan().SequenceEqual(ids.AsSpan(0, count)))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Encode_CorpusAfterWarmUp_AllocatesNothing()
    {
        string[] texts = [.. TokenizationAssets.ReadCorpus("corpus/short.txt"), .. TokenizationAssets.ReadCorpus("corpus/zh.txt"), new string('x', 5_000)];
        WordPieceTokenizer tokenizer = MiniLM.Value;
        long[] ids = new long[256];
        foreach (string text in texts)
        {
            tokenizer.Encode(text, ids, out _);
        }

        // A plain array loop, so the measurement sees only what Encode allocates.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < texts.Length; i++)
        {
            tokenizer.Encode(texts[i], ids, out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
