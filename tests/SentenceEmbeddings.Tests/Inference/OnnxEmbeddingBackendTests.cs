using Microsoft.ML.OnnxRuntime;
using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Inference;

namespace SentenceEmbeddings.Tests.Inference;

[Collection(ModelsGroup.Name)]
public sealed class OnnxEmbeddingBackendTests
{
    private const string Sentence = "A man is playing a guitar.";

    [Fact]
    public async Task Run_AbandonedBatch_OnnxRuntimeStopsItAndTheNextBatchRuns()
    {
        IEmbeddingBackend? backend = null;
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, null, null, (folder, onnxPath, tokenizer, options, modelId, logger) =>
            backend = OnnxEmbeddingBackend.Load(folder, onnxPath, tokenizer, options, modelId, logger));
        long[] ids = generator.Tokenizer.Tokenize(Sentence);
        var abandoned = new EmbeddingRequest(ids, [0], [ids.Length], firstPooled: 0);
        using var everyCallEnded = new CancellationTokenSource();
        await everyCallEnded.CancelAsync();

        OperationCanceledException exception = Assert.Throws<OperationCanceledException>(() => backend!.Run([new PendingText(abandoned, 0)], ids.Length, everyCallEnded.Token));

        // ONNX Runtime's terminate flag stopped the run (it fails, and the backend says why), not a check before it.
        Assert.IsType<OnnxRuntimeException>(exception.InnerException);
        Assert.Equal(everyCallEnded.Token, exception.CancellationToken);
        Assert.Null(abandoned.Vectors[0]);

        // The flag is down again: the next batch on the same run options gives the generator's own vector.
        var next = new EmbeddingRequest(ids, [0], [ids.Length], firstPooled: 0);
        backend!.Run([new PendingText(next, 0)], ids.Length, CancellationToken.None);
        float[] expected = (await generator.GenerateAsync([Sentence]))[0].Vector.ToArray();
        Assert.Equal(expected, next.Vectors[0]);
    }
}
