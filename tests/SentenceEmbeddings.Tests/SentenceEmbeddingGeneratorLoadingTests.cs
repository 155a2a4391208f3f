using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Tests;

public sealed class SentenceEmbeddingGeneratorLoadingTests
{
    [Fact]
    public void Constructor_MissingFolder_ThrowsFileNotFoundExceptionNamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => new SentenceEmbeddingGenerator(missing));

        Assert.Equal(missing, exception.FileName);
        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
        Assert.Contains("onnx/model.onnx", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoOnnxFile_ThrowsFileNotFoundExceptionSayingWhereToGetIt()
    {
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => new SentenceEmbeddingGenerator(folder.Path));

        Assert.Equal(Path.Combine(folder.Path, "onnx", "model.onnx"), exception.FileName);
        Assert.Contains("model.onnx", exception.Message, StringComparison.Ordinal);
        Assert.Contains("HuggingFace hub", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NamedVariantMissing_ThrowsFileNotFoundExceptionNamingIt()
    {
        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(
            () => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { OnnxFile = "onnx/model_qint8_avx512_vnni.onnx" }));

        Assert.EndsWith(Path.Combine("onnx", "model_qint8_avx512_vnni.onnx"), exception.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_FileThatIsNotOnnx_ThrowsInvalidModelFileExceptionNamingIt()
    {
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);
        string fake = folder.Write("onnx/model.onnx", "this is a safetensors file, not ONNX");

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => new SentenceEmbeddingGenerator(folder.Path));

        Assert.Equal(fake, exception.FilePath);
        Assert.Contains(fake, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RootModelOnnx_IsPreferredOverOnnxFolder()
    {
        using TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM);
        folder.Write("model.onnx", "not a model");

        // model.onnx at the root is tried first, so the broken file is the one reported.
        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => new SentenceEmbeddingGenerator(folder.Path));
        Assert.Equal(Path.Combine(folder.Path, "model.onnx"), exception.FilePath);
    }

    [Fact]
    public void Constructor_OptionsOutOfRange_ThrowsArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxSequenceLength = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxBatchTokens = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { IntraOpNumThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxQueuedTexts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxBatchDelay = TimeSpan.FromSeconds(2) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { QueueFullMode = (QueueFullMode)7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { OnnxVariant = (OnnxVariant)7 }));
        Assert.Throws<ArgumentException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { PromptName = "query" }));

        // all-MiniLM-L6-v2 has 512 positions (config.json): a longer limit would fail inside ONNX Runtime on long texts.
        ArgumentOutOfRangeException tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxSequenceLength = 513 }));
        Assert.Contains("512 positions", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_AfterDispose_ThrowsObjectDisposedException()
    {
        var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM);
        Assert.Single(await generator.GenerateAsync(["before"]));

        generator.Dispose();
        generator.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["after"]));
    }

    [Fact]
    public async Task Constructor_MaxSequenceLengthOption_TruncatesThere()
    {
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxSequenceLength = 8, ModelId = "mini" });

        Embedding<float> e = (await generator.GenerateAsync(["one two three four five six seven eight nine ten"]))[0];

        Assert.Equal(8, e.AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]);
        Assert.Equal(true, e.AdditionalProperties[SentenceEmbeddingGenerator.TruncatedPropertyName]);
        Assert.Equal("mini", e.ModelId);
    }

    [Fact]
    public async Task Constructor_SmallBatches_GiveTheSameVectors()
    {
        using var small = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { MaxBatchSize = 1, MaxBatchTokens = 1 });
        ReferenceFile reference = ReferenceData.MiniLM;

        GeneratedEmbeddings<Embedding<float>> e = await small.GenerateAsync(reference.Items.Select(i => i.Text));

        for (int i = 0; i < e.Count; i++)
        {
            Assert.True(VectorMath.Cosine(e[i].Vector.Span, reference.Items[i].Embedding) >= 0.99999, reference.Items[i].Id);
        }
    }

    [Fact]
    public void Options_Defaults_ArePinned()
    {
        var options = new SentenceEmbeddingGeneratorOptions();

        Assert.Null(options.OnnxFile);
        Assert.Equal(OnnxVariant.Fp32, options.OnnxVariant);
        Assert.Equal(OnnxVariant.Fp32, new SentenceEmbeddingsOptions().OnnxVariant);
        Assert.Null(new SentenceEmbeddings.EmbeddingTierOptions().OnnxVariant);
        Assert.Null(options.ModelId);
        Assert.Null(options.MaxSequenceLength);
        Assert.Equal(2048, options.MaxBatchTokens);
        Assert.Equal(64, options.MaxBatchSize);
        Assert.Equal(0, options.IntraOpNumThreads);
        Assert.Null(options.PromptName);
        Assert.Equal(65_536, options.MaxQueuedTexts);
        Assert.Equal(QueueFullMode.Wait, options.QueueFullMode);
        Assert.Equal(TimeSpan.Zero, options.MaxBatchDelay);
        Assert.Equal(ThreadSpinning.DuringRuns, options.ThreadSpinning);
        Assert.Equal(LongTextMode.Truncate, options.LongTextMode);
        Assert.Null(options.ChunkOverlapTokens);
        Assert.Equal(128, options.MaxChunksPerText);
        // Registry-wide keys are unset by default, so each tier's generator takes the generator's defaults above.
        Assert.Null(new SentenceEmbeddingsOptions().LongTextMode);
        Assert.Null(new SentenceEmbeddingsOptions().ChunkOverlapTokens);
        Assert.Null(new SentenceEmbeddingsOptions().MaxChunksPerText);
        Assert.Null(new SentenceEmbeddings.EmbeddingTierOptions().LongTextMode);
        Assert.Null(new SentenceEmbeddings.EmbeddingTierOptions().ChunkOverlapTokens);
        Assert.Null(new SentenceEmbeddings.EmbeddingTierOptions().MaxChunksPerText);
    }

    [Theory]
    [InlineData(254, null)]
    [InlineData(500, null)]
    [InlineData(-1, null)]
    [InlineData(16, 16)]
    public void Options_ChunkOverlapNotSmallerThanTheWindow_ThrowsNamingTheOption(int overlap, int? maxSequenceLength)
    {
        var options = new SentenceEmbeddingGeneratorOptions { ChunkOverlapTokens = overlap, MaxSequenceLength = maxSequenceLength };

        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, options));

        Assert.Contains("ChunkOverlapTokens", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BadLongTextValues_ThrowNamingTheOption()
    {
        Assert.Equal("LongTextMode", Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new() { LongTextMode = (LongTextMode)9 })).ParamName);
        Assert.Equal("MaxChunksPerText", Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(TestModels.MiniLM, new() { MaxChunksPerText = 0 })).ParamName);
    }
}
