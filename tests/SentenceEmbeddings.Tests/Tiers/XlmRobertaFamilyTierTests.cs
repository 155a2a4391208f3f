using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SentenceEmbeddings.Cli.Commands;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Pooling;
using SentenceEmbeddings.Tests.Tokenization;

namespace SentenceEmbeddings.Tests.Tiers;

/// <summary>multilingual-e5-style and bge-m3-style custom tiers, configured from JSON alone over folders built from the test Unigram tokenizer (no weights).</summary>
public sealed class XlmRobertaFamilyTierTests : IDisposable
{
    private static readonly string[] Texts = ["how much protein should a female eat", "南瓜的家常做法", "  Überprüfung \u0001 der Daten  "];

    private readonly TempDirectory _e5 = BuildFolder("current", "mean", normalize: true, maxSequenceLength: 512, """{"query": "query: ", "passage": "passage: "}""");
    private readonly TempDirectory _bge = BuildFolder("current", "cls", normalize: true, maxSequenceLength: 8192, prompts: null);

    [Fact]
    public void Registry_CustomTiersFromConfiguration_ReadPoolingPromptsAndTokens()
    {
        using ServiceProvider provider = Services();
        EmbeddingTierRegistry registry = provider.GetRequiredService<EmbeddingTierRegistry>();
        using var oracle = UnigramOracle.Create("current");

        ModelFolder e5 = ModelFolder.Read(registry.Locate("e5"));
        ModelFolder bge = ModelFolder.Read(registry.Locate("BAAI/bge-m3"));

        Assert.Equal((PoolingModes.Mean, true, 512), (e5.Pooling.Modes, e5.Normalize, e5.MaxSequenceLength));
        Assert.Equal(new Dictionary<string, string> { ["query"] = "query: ", ["passage"] = "passage: " }, e5.Prompts);
        Assert.Equal((PoolingModes.Cls, true, 8192), (bge.Pooling.Modes, bge.Normalize, bge.MaxSequenceLength));
        Assert.Empty(bge.Prompts);

        SentenceTokenizer e5Tokenizer = SentenceTokenizer.Load(e5.Directory);
        SentenceTokenizer bgeTokenizer = SentenceTokenizer.Load(bge.Directory);
        Assert.Equal(1, e5Tokenizer.PaddingTokenId);
        foreach (string text in Texts)
        {
            Assert.Equal(oracle.Expected("query: " + text), e5Tokenizer.Tokenize(e5Tokenizer.Prompts["query"] + text));
            Assert.Equal(oracle.Expected("passage: " + text), e5Tokenizer.Tokenize(e5Tokenizer.Prompts["passage"] + text));
            Assert.Equal(oracle.Expected(text), bgeTokenizer.Tokenize(text));
        }

        // bge-m3's 8192 tokens: a long text keeps <s>, the first 8190 text tokens and </s>.
        string longText = string.Join(' ', TokenizationAssets.ReadCorpus("corpus/long.txt"));
        long[] full = oracle.Expected(longText);
        Assert.True(full.Length > 8192);
        Assert.Equal([.. full[..8191], full[^1]], bgeTokenizer.Tokenize(longText));
    }

    [Fact]
    public async Task CliTokenize_TokenizerJsonOnlyFolderWithPrompt_WritesHuggingFaceIds()
    {
        using var folder = new TempDirectory();
        using var oracle = UnigramOracle.Create("current");
        string input = folder.Write("in.jsonl", string.Join('\n', Texts.Select((text, i) => JsonSerializer.Serialize(new { id = i, text }))));
        foreach ((string? promptName, string prompt) in (IEnumerable<(string?, string)>)[(null, string.Empty), ("query", "query: ")])
        {
            var output = new FileInfo(Path.Combine(folder.Path, $"out-{promptName}.jsonl"));

            Assert.Equal(0, await TokenizeCommand.RunAsync(new DirectoryInfo(_e5.Path), new FileInfo(input), output, promptName, CancellationToken.None));

            string[] lines = File.ReadAllLines(output.FullName);
            Assert.Equal(Texts.Length, lines.Length);
            for (int i = 0; i < lines.Length; i++)
            {
                using JsonDocument line = JsonDocument.Parse(lines[i]);
                Assert.Equal(oracle.Expected(prompt + Texts[i]), line.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt64()));
            }
        }

        Assert.Equal(1, await TokenizeCommand.RunAsync(new DirectoryInfo(_e5.Path), new FileInfo(input), new FileInfo(Path.Combine(folder.Path, "x")), "nope", CancellationToken.None));
    }

    public void Dispose()
    {
        _e5.Dispose();
        _bge.Dispose();
    }

    // The files sentence-transformers publishes for such a model, with the test tokenizer in place of the real one.
    private static TempDirectory BuildFolder(string style, string pooling, bool normalize, int maxSequenceLength, string? prompts)
    {
        var folder = new TempDirectory();
        File.Copy(UnigramOracle.JsonPath(style), Path.Combine(folder.Path, "tokenizer.json"));
        string modules = normalize
            ? """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"""
            : """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]""";
        folder.Write("modules.json", modules);
        folder.Write("1_Pooling/config.json", $$"""{"word_embedding_dimension": 384, "pooling_mode_cls_token": {{(pooling == "cls" ? "true" : "false")}}, "pooling_mode_mean_tokens": {{(pooling == "mean" ? "true" : "false")}}, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}""");
        folder.Write("sentence_bert_config.json", $$"""{"max_seq_length": {{maxSequenceLength}}, "do_lower_case": false}""");
        // The locator wants an ONNX file where a model should be; the tokenizer part needs no weights, so an empty one stands in.
        folder.Write("onnx/model.onnx", string.Empty);
        folder.Write("tokenizer_config.json", """{"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 8192, "pad_token": "<pad>"}""");
        if (prompts is not null)
        {
            folder.Write("config_sentence_transformers.json", $$"""{"prompts": {{prompts}}, "default_prompt_name": null}""");
        }

        return folder;
    }

    private ServiceProvider Services()
    {
        string json = $$"""
            {
              "SentenceEmbeddings": {
                "HuggingFaceHubCache": {{JsonSerializer.Serialize(Path.Combine(Path.GetTempPath(), "no-hub-" + Guid.NewGuid().ToString("N")))}},
                "Tiers": {
                  "e5":  { "ModelId": "intfloat/multilingual-e5-small", "Path": {{JsonSerializer.Serialize(_e5.Path)}}, "UseCase": "multilingual retrieval" },
                  "bge": { "ModelId": "BAAI/bge-m3", "Path": {{JsonSerializer.Serialize(_bge.Path)}}, "MaxSequenceLength": 8192 }
                }
              }
            }
            """;
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(configuration.GetSection(SentenceEmbeddingsOptions.SectionName));
        return services.BuildServiceProvider();
    }
}
