using SentenceEmbeddings.Tests.Inference;

namespace SentenceEmbeddings.Tests;

/// <summary>The generator over a fake backend: a model folder's tokenizer and configuration, no ONNX model.</summary>
public sealed class SentenceEmbeddingGeneratorBackendTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _folder;

    public SentenceEmbeddingGeneratorBackendTests()
    {
        _folder = TestModels.CopyOf(TestModels.MiniLM, includeOnnx: false);

        // Only found, never loaded: the fake backend runs the batches.
        Directory.CreateDirectory(Path.Combine(_folder.Path, "onnx"));
        File.WriteAllBytes(Path.Combine(_folder.Path, "onnx", "model.onnx"), []);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task GenerateAsync_ReturnsEachTextsVectorInInputOrder()
    {
        var backend = new FakeEmbeddingBackend(dimensions: 6);
        using SentenceEmbeddingGenerator generator = Create(backend, new SentenceEmbeddingGeneratorOptions { MaxBatchSize = 2 });
        string[] texts = ["a somewhat longer sentence than the others here", "short", "middle length text", "", "x"];

        var embeddings = await generator.GenerateAsync(texts);

        Assert.Equal(6, generator.Dimensions);
        Assert.Equal(texts.Select(t => FakeEmbeddingBackend.VectorOf(generator.Tokenizer.Tokenize(t), 6)), embeddings.Select(e => e.Vector.ToArray()));
        Assert.Equal(texts.Select(t => generator.Tokenizer.Tokenize(t).Length), embeddings.Select(e => (int)e.AdditionalProperties![SentenceEmbeddingGenerator.TokenCountPropertyName]!));
        Assert.Equal(3, backend.Batches.Count); // five texts, at most two per batch
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileQueued_ThrowsAndLaterCallsRun()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        var backend = new FakeEmbeddingBackend((_, _) =>
        {
            if (!firstBatchRunning.IsSet)
            {
                firstBatchRunning.Set();
                releaseFirstBatch.Wait();
            }
        });
        using SentenceEmbeddingGenerator generator = Create(backend);
        Task first = Task.Run(() => generator.GenerateAsync(["first"]));
        firstBatchRunning.Wait();
        using var cancellation = new CancellationTokenSource();

        Task queued = generator.GenerateAsync(["queued"], cancellationToken: cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(HangGuard));
        releaseFirstBatch.Set();
        await first.WaitAsync(HangGuard);
        var later = await generator.GenerateAsync(["later"]).WaitAsync(HangGuard);
        Assert.Equal(FakeEmbeddingBackend.VectorOf(generator.Tokenizer.Tokenize("later"), 4), later[0].Vector.ToArray());
        Assert.DoesNotContain(backend.Batches, b => b.Any(t => t.Request.Lengths.Length == 1 && t.Request.TokenIds.SequenceEqual(generator.Tokenizer.Tokenize("queued"))));
    }

    [Fact]
    public async Task GenerateAsync_BackendThrows_FailsTheCallWithThatException_AndTheNextCallRuns()
    {
        int batches = 0;
        var backend = new FakeEmbeddingBackend((_, _) =>
        {
            if (Interlocked.Increment(ref batches) == 1)
            {
                throw new InvalidOperationException("out of device memory");
            }
        });
        using SentenceEmbeddingGenerator generator = Create(backend);

        InvalidOperationException exception = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["fails"]).WaitAsync(HangGuard));

        Assert.Equal("out of device memory", exception.Message);
        var next = await generator.GenerateAsync(["runs"]).WaitAsync(HangGuard);
        Assert.Equal(FakeEmbeddingBackend.VectorOf(generator.Tokenizer.Tokenize("runs"), 4), next[0].Vector.ToArray());
    }

    [Fact]
    public async Task GenerateAsync_PromptName_PutsThePromptsTokensBeforeTheText()
    {
        using TempDirectory arctic = TestModels.CopyOf(TestModels.Arctic, includeOnnx: false);
        Directory.CreateDirectory(Path.Combine(arctic.Path, "onnx"));
        File.WriteAllBytes(Path.Combine(arctic.Path, "onnx", "model.onnx"), []);
        using var generator = new SentenceEmbeddingGenerator(arctic.Path, null, null, (_, _, _, _, _, _) => new FakeEmbeddingBackend(dimensions: 32));
        var options = new Microsoft.Extensions.AI.EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.PromptNamePropertyName] = "query" } };

        var embeddings = await generator.GenerateAsync(["jobs in Paris"], options);

        string prompt = "Represent this sentence for searching relevant passages: ";
        Assert.Equal(FakeEmbeddingBackend.VectorOf(generator.Tokenizer.Tokenize(prompt + "jobs in Paris"), 32), embeddings[0].Vector.ToArray());
    }

    [Theory]
    [InlineData(nameof(SentenceEmbeddingGeneratorOptions.MaxBatchTokens))]
    [InlineData(nameof(SentenceEmbeddingGeneratorOptions.MaxQueuedTexts))]
    public void Constructor_BadOption_ThrowsArgumentOutOfRangeExceptionNamingTheKey(string key)
    {
        var options = new SentenceEmbeddingGeneratorOptions();
        typeof(SentenceEmbeddingGeneratorOptions).GetProperty(key)!.SetValue(options, 0);

        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => Create(new FakeEmbeddingBackend(), options));

        Assert.Equal(key, exception.ParamName);
    }

    [Fact]
    public void Dispose_DisposesTheBackend()
    {
        var backend = new FakeEmbeddingBackend();
        SentenceEmbeddingGenerator generator = Create(backend);

        generator.Dispose();

        Assert.True(backend.IsDisposed);
    }

    private SentenceEmbeddingGenerator Create(FakeEmbeddingBackend backend, SentenceEmbeddingGeneratorOptions? options = null) =>
        new(_folder.Path, options, logger: null, (_, _, _, _, _, _) => backend);
}
