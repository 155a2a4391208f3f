using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Pooling;

namespace SentenceEmbeddings.Tests.ModelFolders;

public sealed class ModelFolderTests
{
    [Fact]
    public void Read_MiniLM_ReadsTheHubConfiguration()
    {
        ModelFolder folder = ModelFolder.Read(TestModels.MiniLM);

        Assert.Equal(256, folder.MaxSequenceLength);
        Assert.Equal(new PoolingSettings(PoolingModes.Mean, IncludePrompt: true), folder.Pooling);
        Assert.True(folder.Normalize);
        Assert.False(folder.LowerCaseInput);
        Assert.Empty(folder.Prompts);
        Assert.Equal(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx"), folder.FindOnnxFile(null));
    }

    [Fact]
    public void Read_Arctic_ReadsClsPoolingAndQueryPrompt()
    {
        ModelFolder folder = ModelFolder.Read(TestModels.Arctic);

        Assert.Equal(512, folder.MaxSequenceLength);
        Assert.Equal(PoolingModes.Cls, folder.Pooling.Modes);
        Assert.True(folder.Normalize);
        Assert.Equal("Represent this sentence for searching relevant passages: ", folder.Prompts["query"]);
        Assert.Null(folder.DefaultPromptName);
    }

    [Fact]
    public void Read_NewerSchema_ReadsPoolingModeAndModuleTypes()
    {
        using TempDirectory folder = FolderWith(
            modules: """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.sentence_transformer.modules.transformer.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.sentence_transformer.modules.pooling.Pooling"}]""",
            pooling: """{"embedding_dimension": 384, "pooling_mode": "lasttoken", "include_prompt": false}""");
        folder.Write("tokenizer_config.json", """{"model_max_length": 384}""");
        folder.Write("sentence_bert_config.json", """{"do_lower_case": true}""");

        ModelFolder read = ModelFolder.Read(folder.Path);

        Assert.Equal(new PoolingSettings(PoolingModes.LastToken, IncludePrompt: false), read.Pooling);
        Assert.False(read.Normalize);
        Assert.True(read.LowerCaseInput);
        Assert.Equal(384, read.MaxSequenceLength);
    }

    [Fact]
    public void Read_SeveralClassicModes_AreAllOn()
    {
        using TempDirectory folder = FolderWith(pooling: """{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true, "pooling_mode_weightedmean_tokens": true}""");

        ModelFolder read = ModelFolder.Read(folder.Path);

        Assert.Equal(PoolingModes.Cls | PoolingModes.Mean | PoolingModes.Max | PoolingModes.WeightedMean, read.Pooling.Modes);
        Assert.Equal(4, read.Pooling.VectorCount);
    }

    [Theory]
    [InlineData("""{"pooling_mode": "median"}""", "median")]
    [InlineData("""{"pooling_mode_median_tokens": true}""", "pooling_mode_median_tokens")]
    [InlineData("""{"pooling_mode_mean_tokens": false}""", "no pooling mode")]
    [InlineData("""{"pooling_mode_mean_tokens": "yes"}""", "true or false")]
    [InlineData("""{"pooling_mode_mean_tokens": tru""", "not valid JSON")]
    public void Read_BadPoolingConfig_ThrowsInvalidModelFileExceptionNamingTheFile(string pooling, string expected)
    {
        using TempDirectory folder = FolderWith(pooling: pooling);

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => ModelFolder.Read(folder.Path));

        Assert.Equal(Path.Combine(folder.Path, "1_Pooling", "config.json"), exception.FilePath);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnsupportedModule_ThrowsInvalidModelFileExceptionNamingModulesJson()
    {
        using TempDirectory folder = FolderWith(modules: """[{"idx":0,"path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"path":"2_Dense","type":"sentence_transformers.models.Dense"}]""");

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => ModelFolder.Read(folder.Path));

        Assert.Equal(Path.Combine(folder.Path, "modules.json"), exception.FilePath);
        Assert.Contains("Dense", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PoolingModuleWithoutConfig_ThrowsFileNotFoundException()
    {
        using TempDirectory folder = FolderWith();
        File.Delete(Path.Combine(folder.Path, "1_Pooling", "config.json"));

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => ModelFolder.Read(folder.Path));

        Assert.Equal(Path.Combine(folder.Path, "1_Pooling", "config.json"), exception.FileName);
    }

    [Fact]
    public void Read_NoModulesJson_UsesMeanPoolingWithoutNormalize()
    {
        using TempDirectory folder = FolderWith();
        File.Delete(Path.Combine(folder.Path, "modules.json"));

        ModelFolder read = ModelFolder.Read(folder.Path);

        Assert.Equal(PoolingModes.Mean, read.Pooling.Modes);
        Assert.False(read.Normalize);
    }

    [Fact]
    public void Read_NoMaxSeqLength_TakesSmallerOfTokenizerAndPositionLimits()
    {
        using TempDirectory folder = FolderWith();
        folder.Write("tokenizer_config.json", """{"model_max_length": 1000000000000000019884624838656}""");
        folder.Write("config.json", """{"max_position_embeddings": 514}""");

        Assert.Equal(514, ModelFolder.Read(folder.Path).MaxSequenceLength);
    }

    [Fact]
    public void Read_DefaultPromptNotAmongPrompts_ThrowsInvalidModelFileException()
    {
        using TempDirectory folder = FolderWith();
        folder.Write("config_sentence_transformers.json", """{"prompts": {"query": "q: "}, "default_prompt_name": "passage"}""");

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => ModelFolder.Read(folder.Path));

        Assert.Contains("passage", exception.Message, StringComparison.Ordinal);
    }

    private static TempDirectory FolderWith(string? modules = null, string? pooling = null)
    {
        var folder = new TempDirectory();
        folder.Write("onnx/model.onnx", "placeholder: ModelFolder only checks that the file exists");
        folder.Write("modules.json", modules ?? """[{"idx":0,"path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]""");
        folder.Write("1_Pooling/config.json", pooling ?? """{"word_embedding_dimension": 4, "pooling_mode_mean_tokens": true}""");
        return folder;
    }
}
