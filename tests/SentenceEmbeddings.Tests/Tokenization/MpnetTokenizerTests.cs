using System.Text.Json.Nodes;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks all-mpnet-base-v2's tokenizer, loaded from its real vocab.txt and configuration files, against HuggingFace's Rust tokenizer on the tokenizer.json transformers would convert it into.</summary>
public sealed class MpnetTokenizerTests : IDisposable
{
    private static readonly string MpnetDirectory = Path.Combine(AppContext.BaseDirectory, "models-config", "all-mpnet-base-v2");

    private readonly TempDirectory _folder = new();
    private readonly Tokenizers.DotNet.Tokenizer _oracle;
    private readonly WordPieceTokenizer _tokenizer;

    public MpnetTokenizerTests()
    {
        string tokenizerJson = Path.Combine(_folder.Path, "tokenizer.json");
        File.WriteAllText(tokenizerJson, CreateConvertedTokenizerJson().ToJsonString());
        _oracle = new Tokenizers.DotNet.Tokenizer(tokenizerJson);
        _tokenizer = Assert.IsType<WordPieceTokenizer>(TokenizerLoader.Load(MpnetDirectory));
    }

    public static TheoryData<string> Corpora => [.. TokenizationAssets.CorpusNames];

    [Fact]
    public void Load_RealConfiguration_UsesMpnetSpecialTokens()
    {
        // special_tokens_map.json names [UNK] (id 104, BERT's [UNK] after MPNet's four leading tokens), not <unk> (3).
        Assert.Equal(0, _tokenizer.ClsId);
        Assert.Equal(2, _tokenizer.SepId);
        Assert.Equal(1, _tokenizer.PadId);
        Assert.Equal(104, _tokenizer.UnknownId);
        Assert.Equal(30527, _tokenizer.VocabularySize);
    }

    [Fact]
    public void SentenceTokenizer_RealFolder_GivesMpnetIdsAndLength()
    {
        SentenceTokenizer tokenizer = SentenceTokenizer.Load(MpnetDirectory);

        Assert.Equal(384, tokenizer.MaxSequenceLength);
        Assert.Equal(1, tokenizer.PaddingTokenId);
        Assert.Equal([0, 2027, 2007, 1041, 3235, 2], tokenizer.Tokenize("This is a test"));
    }

    [Theory]
    [MemberData(nameof(Corpora))]
    public void Corpus_Untruncated_MatchesHuggingFace(string corpus)
    {
        long[] buffer = new long[100_000];
        int mismatches = 0;
        string? first = null;
        foreach (string text in TokenizationAssets.ReadCorpus(corpus))
        {
            if (!Expected(text).AsSpan().SequenceEqual(HuggingFaceOracle.Encode(_tokenizer, text, buffer)))
            {
                mismatches++;
                first ??= HuggingFaceOracle.Escape(text);
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} mismatches; the first: \"{first}\"");
    }

    [Fact]
    public void SpecialTokensAndRandomText_MatchHuggingFace()
    {
        // <mask> is lstrip in the real file: HuggingFace then swallows the whitespace before it, which BertPreTokenizer drops anyway.
        string[] probes =
        [
            "a <mask> b", "a<mask>b", "  <mask>  ", "\t<mask>\n", "<s>hello</s>", "<pad><unk>[UNK]", "<S> <MASK> <Mask>", "x </s></s> y",
            "Héllo naïve café 😀", "US $5.00 <= 6 ~ ^ |", "中文字符 and ＡＢＣ", "",
        ];
        var generator = new RandomTextGenerator(11);
        int mismatches = 0;
        string? first = null;
        long[] buffer = new long[100_000];
        foreach (string text in probes.Concat(Enumerable.Range(0, 1_000).Select(_ => generator.Next())))
        {
            if (!Expected(text).AsSpan().SequenceEqual(HuggingFaceOracle.Encode(_tokenizer, text, buffer)))
            {
                mismatches++;
                first ??= HuggingFaceOracle.Escape(text);
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} mismatches; the first: \"{first}\"");
    }

    [Fact]
    public void Encode_Truncated_KeepsStartAndEndTokens()
    {
        string text = string.Join(' ', TokenizationAssets.ReadCorpus("corpus/long.txt").Take(5));
        long[] full = Expected(text);
        long[] ids = new long[128];

        int count = _tokenizer.Encode(text, ids, out bool truncated);

        Assert.True(truncated);
        Assert.Equal([.. full[..127], 2L], ids[..count]);
    }

    public void Dispose()
    {
        _oracle.Dispose();
        _folder.Dispose();
    }

    private long[] Expected(string text) => [.. _oracle.Encode(text).Select(id => (long)id)];

    // What transformers' MPNetConverter writes for the slow MPNetTokenizer of all-mpnet-base-v2: BertNormalizer (lowercase,
    // accents stripped with it), BertPreTokenizer, WordPiece over vocab.txt with unk [UNK], "<s> $A </s>", and the slow
    // tokenizer's special tokens as added tokens.
    private static JsonObject CreateConvertedTokenizerJson()
    {
        string[] lines = File.ReadAllLines(Path.Combine(MpnetDirectory, "vocab.txt"));
        var vocabulary = new JsonObject();
        for (int id = 0; id < lines.Length; id++)
        {
            vocabulary[lines[id]] = id;
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(
                Added(0, "<s>", lstrip: false),
                Added(1, "<pad>", lstrip: false),
                Added(2, "</s>", lstrip: false),
                Added(104, "[UNK]", lstrip: false),
                Added(30526, "<mask>", lstrip: true)),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = true,
                ["handle_chinese_chars"] = true,
                ["strip_accents"] = null,
                ["lowercase"] = true,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special("<s>"), Sequence("A"), Special("</s>")),
                ["pair"] = new JsonArray(Special("<s>"), Sequence("A"), Special("</s>"), Special("</s>"), Sequence("B"), Special("</s>")),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(0), ["tokens"] = new JsonArray("<s>") },
                    ["</s>"] = new JsonObject { ["id"] = "</s>", ["ids"] = new JsonArray(2), ["tokens"] = new JsonArray("</s>") },
                },
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece",
                ["unk_token"] = "[UNK]",
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = vocabulary,
            },
        };

        static JsonObject Added(int id, string content, bool lstrip) => new()
        {
            ["id"] = id,
            ["content"] = content,
            ["single_word"] = false,
            ["lstrip"] = lstrip,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = true,
        };

        static JsonObject Special(string id) => new() { ["SpecialToken"] = new JsonObject { ["id"] = id, ["type_id"] = 0 } };

        static JsonObject Sequence(string id) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = 0 } };
    }
}
