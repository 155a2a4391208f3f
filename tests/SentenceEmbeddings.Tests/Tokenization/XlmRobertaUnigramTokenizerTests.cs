using System.Globalization;
using System.Text;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the XLM-R Unigram tokenizer against ids that SentencePiece's own <c>spm_encode</c> gave for every corpus text, shifted into fairseq's layout.</summary>
public sealed class XlmRobertaUnigramTokenizerTests
{
    private static readonly string AssetDirectory = Path.Combine(AppContext.BaseDirectory, "assets", "sentencepiece");
    private static readonly string ModelPath = Path.Combine(AssetDirectory, "unigram-4k.model");
    private static readonly Lazy<XlmRobertaUnigramTokenizer> SharedTokenizer = new(() => XlmRobertaUnigramTokenizer.Load(ModelPath));
    private static readonly Lazy<(IReadOnlyList<string> Texts, IReadOnlyList<int[]> SentencePieceIds)> Reference = new(ReadReference);

    [Fact]
    public void Corpora_Untruncated_MatchSentencePieceAfterFairseqMapping()
    {
        (IReadOnlyList<string> texts, IReadOnlyList<int[]> pieces) = Reference.Value;
        long[] buffer = new long[100_000];
        int mismatches = 0;
        int unknowns = 0;
        var report = new StringBuilder();
        for (int i = 0; i < texts.Count; i++)
        {
            long[] expected = ToFairseq(pieces[i], int.MaxValue);
            unknowns += pieces[i].Count(id => id == 0);
            int count = SharedTokenizer.Value.Encode(texts[i], buffer, out bool truncated);
            if (truncated || !expected.AsSpan().SequenceEqual(buffer.AsSpan(0, count)))
            {
                Describe(report, ref mismatches, texts[i], expected, buffer.AsSpan(0, count));
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} of {texts.Count} texts differ from spm_encode:{Environment.NewLine}{report}");
        Assert.True(unknowns > 0, "The corpora should hold characters outside the small model, so that the <unk> mapping is exercised.");
    }

    [Theory]
    [InlineData(128)]
    [InlineData(16)]
    [InlineData(3)]
    [InlineData(2)]
    public void Corpora_Truncated_KeepTheFirstTokensAndBothEnds(int maxLength)
    {
        (IReadOnlyList<string> texts, IReadOnlyList<int[]> pieces) = Reference.Value;
        long[] buffer = new long[maxLength];
        int mismatches = 0;
        int truncatedTexts = 0;
        var report = new StringBuilder();
        for (int i = 0; i < texts.Count; i++)
        {
            long[] expected = ToFairseq(pieces[i], maxLength - 2);
            bool expectedTruncated = pieces[i].Length > maxLength - 2;
            int count = SharedTokenizer.Value.Encode(texts[i], buffer, out bool truncated);
            truncatedTexts += truncated ? 1 : 0;
            if (truncated != expectedTruncated || !expected.AsSpan().SequenceEqual(buffer.AsSpan(0, count)))
            {
                Describe(report, ref mismatches, texts[i], expected, buffer.AsSpan(0, count));
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} of {texts.Count} texts differ from spm_encode cut at {maxLength}:{Environment.NewLine}{report}");
        Assert.True(truncatedTexts > 0);
    }

    [Fact]
    public async Task StoredIds_WhenSpmEncodeIsInstalled_AreWhatItGivesNow()
    {
        // CI may lack SentencePiece's tools; where spm_encode exists, the stored reference is re-derived from the model.
        string? spmEncode = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "spm_encode"))
            .FirstOrDefault(File.Exists);
        if (spmEncode is null)
        {
            return;
        }

        var start = new System.Diagnostics.ProcessStartInfo(spmEncode, [$"--model={ModelPath}", "--output_format=id"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        foreach (string text in Reference.Value.Texts)
        {
            await process.StandardInput.WriteAsync(text);
            await process.StandardInput.WriteAsync('\n');
        }

        process.StandardInput.Close();
        string[] lines = (await output).Split('\n');
        await process.WaitForExitAsync();

        Assert.Equal(File.ReadAllText(Path.Combine(AssetDirectory, "unigram-4k.corpora.ids.txt")).Split('\n'), lines);
    }

    [Fact]
    public void Encode_HalfMegabyteText_GivesThePrefixOfTheFullEncoding()
    {
        // Long paragraphs joined by spaces: the tokenizer reads growing prefixes cut at a space, which must not change the ids.
        string text = string.Join(' ', TokenizationAssets.ReadCorpus("corpus/long.txt"));
        long[] full = new long[1_000_000];
        int fullCount = SharedTokenizer.Value.Encode(text, full, out bool fullTruncated);
        Assert.False(fullTruncated);

        foreach (int maxLength in new[] { 2, 3, 128, 512, 5_000 })
        {
            long[] ids = new long[maxLength];
            int count = SharedTokenizer.Value.Encode(text, ids, out bool truncated);

            Assert.True(truncated);
            Assert.Equal(maxLength, count);
            Assert.Equal(full.AsSpan(0, maxLength - 1).ToArray(), ids.AsSpan(0, maxLength - 1).ToArray());
            Assert.Equal(XlmRobertaUnigramTokenizer.EosId, ids[maxLength - 1]);
        }

        Assert.True(fullCount > 5_000);
    }

    [Fact]
    public void Encode_ChineseText_NoSpacesToCutAt_GivesThePrefixOfTheFullEncoding()
    {
        string text = string.Concat(TokenizationAssets.ReadCorpus("corpus/zh.txt"));
        long[] full = new long[1_000_000];
        _ = SharedTokenizer.Value.Encode(text, full, out _);
        long[] ids = new long[128];

        int count = SharedTokenizer.Value.Encode(text, ids, out bool truncated);

        Assert.True(truncated);
        Assert.Equal(full.AsSpan(0, 127).ToArray(), ids.AsSpan(0, 127).ToArray());
        Assert.Equal(128, count);
    }

    [Fact]
    public void Encode_EmptyText_GivesStartAndEndOnly()
    {
        long[] ids = new long[8];

        int count = SharedTokenizer.Value.Encode("", ids, out bool truncated);

        Assert.Equal([XlmRobertaUnigramTokenizer.BosId, XlmRobertaUnigramTokenizer.EosId], ids[..count]);
        Assert.False(truncated);
        Assert.Equal(1, SharedTokenizer.Value.PadId);
    }

    [Fact]
    public void Encode_LoneSurrogate_IsReadAsReplacementCharacter()
    {
        // spm_encode gives 8 116 for "a\uFFFDb" with this model (the charsmap deletes U+FFFD), so fairseq 0 9 117 2.
        long[] ids = new long[8];

        int count = SharedTokenizer.Value.Encode("a\udc00b", ids, out _);

        Assert.Equal([0, 9, 117, 2], ids[..count]);
    }

    [Fact]
    public void Encode_IdsShorterThanTwo_Throws() =>
        Assert.Throws<ArgumentException>(() => SharedTokenizer.Value.Encode("text", new long[1], out _));

    [Fact]
    public void Load_NotASentencePieceModel_ThrowsInvalidModelFile()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, XlmRobertaUnigramTokenizer.ModelFileName);
        File.WriteAllText(path, "not a protobuf model, just text");

        Assert.Throws<InvalidModelFileException>(() => XlmRobertaUnigramTokenizer.Load(path));
    }

    [Fact]
    public void RealMultilingualModel_WhenPresent_GivesUpstreamIds()
    {
        // SENTENCE_EMBEDDINGS_XLMR_MODEL: the sentencepiece.bpe.model of paraphrase-multilingual-MiniLM-L12-v2 (not in the repository).
        string? path = Environment.GetEnvironmentVariable("SENTENCE_EMBEDDINGS_XLMR_MODEL");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return;
        }

        XlmRobertaUnigramTokenizer tokenizer = XlmRobertaUnigramTokenizer.Load(path);
        long[] ids = new long[64];

        // spm gives 35377, 3, 8998, 37 (Microsoft.ML.Tokenizers' UnigramTests); spm id 3 is ',', not <unk>, so it moves to 4.
        int count = tokenizer.Encode("Hello, world!", ids, out _);
        Assert.Equal([0, 35378, 4, 8999, 38, 2], ids[..count]);

        // fairseq's encode('Hello World!') (facebookresearch/fairseq#2094).
        count = tokenizer.Encode("Hello World!", ids, out _);
        Assert.Equal([0, 35378, 6661, 38, 2], ids[..count]);
    }

    // fairseq's layout: <s>, each SentencePiece id + 1 with spm's <unk> (0) at 3, </s>.
    private static long[] ToFairseq(int[] sentencePieceIds, int maxTextTokens) =>
        [0, .. sentencePieceIds.Take(maxTextTokens).Select(id => id == 0 ? 3L : id + 1L), 2];

    private static void Describe(StringBuilder report, ref int mismatches, string text, long[] expected, ReadOnlySpan<long> actual)
    {
        if (mismatches++ < 5)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"text:     \"{HuggingFaceOracle.Escape(text[..Math.Min(text.Length, 200)])}\"");
            report.AppendLine(CultureInfo.InvariantCulture, $"expected: {string.Join(',', expected)}");
            report.AppendLine(CultureInfo.InvariantCulture, $"actual:   {string.Join(',', actual.ToArray())}");
        }
    }

    // unigram-4k.corpora.ids.txt: spm_encode --output_format=id, one line per text of TokenizationAssets.ReadAllCorpora, in order.
    private static (IReadOnlyList<string>, IReadOnlyList<int[]>) ReadReference()
    {
        IReadOnlyList<string> texts = TokenizationAssets.ReadAllCorpora();
        string[] lines = File.ReadAllLines(Path.Combine(AssetDirectory, "unigram-4k.corpora.ids.txt"));
        Assert.Equal(texts.Count, lines.Length);
        int[][] ids = [.. lines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToArray())];
        return (texts, ids);
    }
}
