using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Pooling;

namespace SentenceEmbeddings.Inference;

/// <summary>Runs batches with ONNX Runtime: pads them into reused buffers, runs the <see cref="OnnxEncoder"/>, pools each text's vector.</summary>
internal sealed class OnnxEmbeddingBackend : IEmbeddingBackend
{
    private readonly OnnxEncoder _encoder;
    private readonly BatchPooler _pooler;
    private readonly long _paddingTokenId;
    private readonly KeyValuePair<string, object?> _modelTag;
    private readonly RunOptions _runOptions = new();

    // Grown on demand and reused for every batch: one batch runs at a time.
    private long[] _inputIds = [];
    private long[] _attentionMask = [];
    private long[] _tokenTypeIds = [];
    private float[] _output = [];

    private OnnxEmbeddingBackend(OnnxEncoder encoder, ModelFolder folder, long paddingTokenId, string modelId)
    {
        _encoder = encoder;
        _pooler = new BatchPooler(folder.Pooling, folder.Normalize, encoder.OutputKind, encoder.HiddenSize);
        _paddingTokenId = paddingTokenId;
        _modelTag = new("model", modelId);
    }

    /// <inheritdoc />
    public int Dimensions => _pooler.Dimensions;

    /// <inheritdoc />
    public ExecutionProvider ExecutionProvider => _encoder.ExecutionProvider;

    /// <inheritdoc />
    public string? FallbackReason => _encoder.FallbackReason;

    /// <summary>Loads the ONNX file on the execution provider asked for and checks the tokenizer's ids against the model's embedding table.</summary>
    /// <inheritdoc cref="EmbeddingBackendFactory"/>
    public static IEmbeddingBackend Load(ModelFolder folder, string onnxPath, SentenceTokenizer tokenizer, SentenceEmbeddingGeneratorOptions options, string modelId, ILogger logger)
    {
        OnnxEncoder encoder = OnnxEncoder.Load(onnxPath, options.IntraOpNumThreads, options.ThreadSpinning, options.ExecutionProvider, options.Cuda, logger, modelId);
        try
        {
            encoder.CheckVocabulary(tokenizer.VocabularySize, tokenizer.SourcePath, onnxPath);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }

        return new OnnxEmbeddingBackend(encoder, folder, tokenizer.PaddingTokenId, modelId);
    }

    /// <inheritdoc />
    public void Run(ReadOnlySpan<PendingText> batch, int sequenceLength, CancellationToken abandoned)
    {
        int cells = batch.Length * sequenceLength;
        int outputLength = _pooler.OutputLength(batch.Length, sequenceLength);
        Grow(ref _inputIds, cells);
        Grow(ref _attentionMask, cells);
        Grow(ref _tokenTypeIds, cells);
        Grow(ref _output, outputLength);

        _inputIds.AsSpan(0, cells).Fill(_paddingTokenId);
        _attentionMask.AsSpan(0, cells).Clear();
        for (int row = 0; row < batch.Length; row++)
        {
            EmbeddingRequest request = batch[row].Request;
            int index = batch[row].Index;
            int length = request.Lengths[index];
            request.TokenIds.AsSpan(request.Offsets[index], length).CopyTo(_inputIds.AsSpan(row * sequenceLength));
            _attentionMask.AsSpan(row * sequenceLength, length).Fill(1);
        }

        long started = Stopwatch.GetTimestamp();
        RunUnlessAbandoned(batch.Length, sequenceLength, outputLength, abandoned);
        SentenceEmbeddingsTelemetry.InferenceDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _modelTag);
        SentenceEmbeddingsTelemetry.BatchSize.Record(batch.Length, _modelTag);

        _pooler.Pool(batch, sequenceLength, _output.AsSpan(0, outputLength));
    }

    /// <inheritdoc />
    /// <summary>Runs the padded batch; ONNX Runtime stops between operators once the batch is abandoned (its terminate flag).</summary>
    private void RunUnlessAbandoned(int batchSize, int sequenceLength, int outputLength, CancellationToken abandoned)
    {
        CancellationTokenRegistration registration = abandoned.Register(static options => ((RunOptions)options!).Terminate = true, _runOptions);
        try
        {
            _encoder.Run(_inputIds, _attentionMask, _tokenTypeIds, batchSize, sequenceLength, _runOptions, _output.AsMemory(0, outputLength));
        }
        catch (OnnxRuntimeException exception) when (abandoned.IsCancellationRequested)
        {
            throw new OperationCanceledException("Every call with a text in this batch ended, so ONNX Runtime stopped the run.", exception, abandoned);
        }
        finally
        {
            // Dispose waits for a callback that is running, so the flag is down before the next batch uses these options;
            // only a cancelled token can have raised it, so the usual batch makes no native call here.
            registration.Dispose();
            if (abandoned.IsCancellationRequested)
            {
                _runOptions.Terminate = false;
            }
        }
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _runOptions.Dispose();
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            // Token type ids stay zero: a fresh array is cleared, and nothing else writes to it.
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }
}
