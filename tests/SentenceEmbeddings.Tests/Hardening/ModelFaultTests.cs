using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tests.Hub;
using SentenceEmbeddings.Tests.Tiers;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.Hardening;

/// <summary>Broken model files and caches: each gives a typed exception naming the file and the fix, and the other tiers go on serving.</summary>
public sealed class ModelFaultTests
{
    private const string Fox = "The quick brown fox jumps over the lazy dog.";

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(0.0001)]
    public void Constructor_TruncatedOnnxFile_ThrowsInvalidModelFileExceptionNamingItAndTheFix(double keptFraction)
    {
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);
        byte[] model = File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx"));
        string truncated = Path.Combine(folder.Path, "onnx", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(truncated)!);
        File.WriteAllBytes(truncated, model[..(int)(model.Length * keptFraction)]);

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => new SentenceEmbeddingGenerator(folder.Path));

        Assert.Equal(truncated, exception.FilePath);
        Assert.Contains(truncated, exception.Message, StringComparison.Ordinal);
        Assert.Contains("download onnx/model.onnx again", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_VocabularyLargerThanTheModel_ThrowsInvalidModelFileExceptionNamingVocabTxt()
    {
        // A vocab.txt of another model with more entries than all-MiniLM-L6-v2's 30,522-row embedding table.
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM);
        File.Delete(Path.Combine(folder.Path, "tokenizer.json"));
        string vocabulary = Path.Combine(folder.Path, "vocab.txt");
        File.AppendAllLines(vocabulary, Enumerable.Range(0, 100).Select(i => "extraword" + i));

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => new SentenceEmbeddingGenerator(folder.Path));

        Assert.Equal(vocabulary, exception.FilePath);
        Assert.Contains(vocabulary, exception.Message, StringComparison.Ordinal);
        Assert.Contains("30622 token ids", exception.Message, StringComparison.Ordinal);
        Assert.Contains("id 30621", exception.Message, StringComparison.Ordinal);
        Assert.Contains("belong to another model", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TokenizerJsonAddedTokenBeyondTheModel_ThrowsInvalidModelFileExceptionNamingTokenizerJson()
    {
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM);
        string tokenizerJson = Path.Combine(folder.Path, "tokenizer.json");
        JsonNode root = JsonNode.Parse(File.ReadAllText(tokenizerJson))!;
        root["added_tokens"]!.AsArray().Add(new JsonObject
        {
            ["id"] = 40_000,
            ["content"] = "<extra>",
            ["single_word"] = false,
            ["lstrip"] = false,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = true,
        });
        File.WriteAllText(tokenizerJson, root.ToJsonString());

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => new SentenceEmbeddingGenerator(folder.Path));

        Assert.Equal(tokenizerJson, exception.FilePath);
        Assert.Contains("id 40000", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_VocabularyOfTheModelsOwnSize_Loads()
    {
        // The check does not reject the real pair: MiniLM's 30,522 ids against its 30,522 rows, run at load.
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM);

        Assert.Equal(30_522, generator.Tokenizer.VocabularySize);
    }

    [Theory]
    [InlineData("sentence_bert_config.json", """{"max_seq_length": "long", "do_lower_case": false}""", "\"max_seq_length\" must be a number")]
    [InlineData("sentence_bert_config.json", """{"max_seq_length": 1}""", "max_seq_length is 1")]
    [InlineData("sentence_bert_config.json", """{"max_seq_length": 256, "do_lower_case": "yes"}""", "\"do_lower_case\" must be true or false")]
    [InlineData("sentence_bert_config.json", """{"max_seq_length": 256""", "is not valid JSON")]
    [InlineData("config.json", """["not", "an", "object"]""", "it must hold a JSON object")]
    [InlineData("config.json", """{"max_position_embeddings": 1e99}""", "\"max_position_embeddings\" is out of range")]
    [InlineData("modules.json", """[{"idx": 0, "name": "0", "path": ""}]""", "a module has no \"type\"")]
    [InlineData("1_Pooling/config.json", """{"word_embedding_dimension": 384}""", "no pooling mode is switched on")]
    [InlineData("1_Pooling/config.json", """{"pooling_mode": "median"}""", "unknown pooling_mode 'median'")]
    [InlineData("config_sentence_transformers.json", """{"prompts": {"query": 7}}""", "\"prompts.query\" must be a string")]
    [InlineData("tokenizer.json", """{"model": {"type": "WordPiece"}}""", "its normalizer is '(none)'")]
    [InlineData("tokenizer.json", "", "not valid JSON")]
    public void Constructor_ConfigurationWithMissingOrWrongFields_ThrowsInvalidModelFileExceptionNamingTheFileAndTheFix(string file, string content, string problem)
    {
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);
        string path = folder.Write(file, content);
        Directory.CreateDirectory(Path.Combine(folder.Path, "onnx"));
        File.CreateSymbolicLink(Path.Combine(folder.Path, "onnx", "model.onnx"), Path.Combine(TestModels.MiniLM, "onnx", "model.onnx"));

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => new SentenceEmbeddingGenerator(folder.Path));

        Assert.Equal(path, exception.FilePath);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        Assert.Matches("(?i)download|correct|export|remove|use the tokenizer files", exception.Message);
    }

    [Fact]
    public async Task Registry_OneTiersFolderBroken_TheOtherTierStillEmbeds()
    {
        using TempDirectory broken = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);
        broken.Write("onnx/model.onnx", "a half-written download");
        using var registry = new EmbeddingTierRegistry(EmbeddingTierRegistryTests.OptionsWith(("broken", broken.Path), ("arctic", TestModels.Arctic)));

        InvalidModelFileException exception = await Assert.ThrowsAsync<InvalidModelFileException>(() => registry.GetGenerator("broken").GenerateVectorAsync(Fox));
        ReadOnlyMemory<float> vector = await registry.GetGenerator("arctic").GenerateVectorAsync(Fox);

        Assert.Equal(Path.Combine(broken.Path, "onnx", "model.onnx"), exception.FilePath);
        Assert.True(VectorMath.Cosine(vector.Span, ReferenceData.Arctic.Items.First(i => i.Text == Fox).Embedding) >= 0.99999);

        // Fixed on disk, the broken tier loads on the next call; nothing was cached from the failure.
        File.Copy(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx"), Path.Combine(broken.Path, "onnx", "model.onnx"), overwrite: true);
        ReadOnlyMemory<float> repaired = await registry.GetGenerator("broken").GenerateVectorAsync(Fox);
        Assert.True(VectorMath.Cosine(repaired.Span, ReferenceData.MiniLM.Items.First(i => i.Text == Fox).Embedding) >= 0.99999);
    }

    [Fact]
    public async Task Registry_FolderDeletedWhileLoaded_KeepsServingThenReportsTheMissingFolderOnReload()
    {
        var deleted = new TempDirectory();
        string folder = ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(deleted.Path, "model"));
        using var registry = new EmbeddingTierRegistry(EmbeddingTierRegistryTests.OptionsWith(("gone", folder), ("arctic", TestModels.Arctic)));
        IEmbeddingGenerator<string, Embedding<float>> gone = registry.GetGenerator("gone");
        ReadOnlyMemory<float> before = await gone.GenerateVectorAsync(Fox);

        deleted.Dispose();
        Assert.False(Directory.Exists(folder));

        // The model and tokenizer are in memory: the loaded tier goes on serving.
        ReadOnlyMemory<float> after = await gone.GenerateVectorAsync(Fox);
        Assert.Equal(before.ToArray(), after.ToArray());

        // Once unloaded, the next call says which folder is missing; the other tier is untouched.
        Assert.True(registry.Unload("gone"));
        ModelNotFoundException exception = await Assert.ThrowsAsync<ModelNotFoundException>(() => gone.GenerateVectorAsync(Fox));
        Assert.Contains(folder, exception.Message, StringComparison.Ordinal);
        Assert.Contains("download", exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Single(await registry.GetGenerator("arctic").GenerateAsync([Fox]));
    }

    [Fact]
    public async Task DownloadAsync_CacheFolderNotWritable_ThrowsHubDownloadExceptionNamingTheFolderAndTheFix()
    {
        // Root ignores permission bits, so the cache sits in sysfs, where no one may create a folder; elsewhere a folder made read-only.
        using var temp = new TempDirectory();
        string cache = "/sys/sentence-embeddings-cache";
        if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            cache = Path.Combine(temp.Path, "cache");
            Directory.CreateDirectory(cache);
            File.SetUnixFileMode(cache, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        using var downloader = new HubDownloader(new HubDownloadOptions { CacheDirectory = cache, Endpoint = hub.Endpoint, RetryDelay = TimeSpan.FromMilliseconds(1) });

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync("sentence-transformers/all-MiniLM-L6-v2"));

        Assert.Contains(cache, exception.Message, StringComparison.Ordinal);
        Assert.Contains("HF_HUB_CACHE", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(hub.Requests, r => r.StartsWith("GET", StringComparison.Ordinal) && r.Contains("resolve", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadToAsync_DiskFull_ThrowsHubDownloadExceptionSayingToFreeSpace()
    {
        // Every partial file is a link to /dev/full, whose writes fail with ENOSPC: a full disk without filling one.
        using var target = new TempDirectory();
        using var hub = new FakeHub("sentence-transformers/all-MiniLM-L6-v2", TestModels.MiniLM);
        foreach (string file in hub.Files)
        {
            string partial = SentenceEmbeddings.ModelFolders.HubCacheLayout.PartialInFolder(target.Path, file);
            Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
            File.CreateSymbolicLink(partial, "/dev/full");
        }

        using var downloader = new HubDownloader(new HubDownloadOptions { CacheDirectory = Path.Combine(target.Path, "cache"), Endpoint = hub.Endpoint, RetryDelay = TimeSpan.FromMilliseconds(1) });

        HubDownloadException exception = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadToAsync("sentence-transformers/all-MiniLM-L6-v2", target.Path));

        Assert.Contains("disk is full", exception.Message, StringComparison.Ordinal);
        Assert.Contains(".incomplete", exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target.Path, "onnx", "model.onnx")));
    }
}
