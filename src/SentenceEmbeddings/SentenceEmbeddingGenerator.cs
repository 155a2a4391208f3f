using System.Buffers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Chunking;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.Inference;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Pooling;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings;

/// <summary>Generates sentence embeddings in-process with a sentence-transformers model exported to ONNX.</summary>
/// <remarks>
/// <para>Texts go through the same steps as in sentence-transformers: tokens (HuggingFace-exact WordPiece, truncated at the model's
/// <c>max_seq_length</c>), length-sorted batches, ONNX Runtime, the configured pooling, and L2 normalisation when the model has a
/// Normalize module.</para>
/// <para>All members are safe for concurrent use. Disposing while calls are running lets them finish first.</para>
/// </remarks>
public sealed class SentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>, IChunkedEmbeddingGenerator
{
    /// <summary>The key in each embedding's <see cref="Embedding.AdditionalProperties"/> holding the number of tokens the model saw, special tokens included.</summary>
    public const string TokenCountPropertyName = "token_count";

    /// <summary>The key in each embedding's <see cref="Embedding.AdditionalProperties"/> telling whether the text was cut at the model's maximum length.</summary>
    public const string TruncatedPropertyName = "truncated";

    /// <summary>The key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> naming the model's prompt to put before each text.</summary>
    public const string PromptNamePropertyName = "prompt_name";

    /// <summary>The key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> choosing the call's <see cref="SentenceEmbeddings.LongTextMode"/>: <c>truncate</c>, <c>chunk</c> or <c>error</c>.</summary>
    public const string LongTextPropertyName = "long_text";

    /// <summary>The key in each embedding's <see cref="Embedding.AdditionalProperties"/>, in chunk mode, holding the number of chunks the text was embedded in.</summary>
    public const string ChunkCountPropertyName = "chunk_count";

    private const string ProviderName = "SentenceEmbeddings";

    private readonly ModelFolder _folder;
    private readonly SentenceTokenizer _tokenizer;
    private readonly IEmbeddingBackend _backend;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly BatchScheduler _scheduler;
    private readonly string? _defaultPromptName;
    private readonly Dictionary<string, int> _promptTokenCounts = new(StringComparer.Ordinal);
    private readonly TextChunker _chunker;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="SentenceEmbeddingGenerator"/> class from a model folder.</summary>
    /// <param name="modelDirectory">The folder of a sentence-transformers model as published on the HuggingFace hub, with its ONNX export.</param>
    /// <param name="options">The options to load and run the model with, or <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Receives the execution provider's events (one warning when CUDA falls back to the CPU), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="modelDirectory"/> is null or empty, or an option is out of range.</exception>
    /// <exception cref="FileNotFoundException">The folder, its ONNX file or its tokenizer files are missing.</exception>
    /// <exception cref="InvalidModelFileException">A model file is malformed or asks for something unsupported.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was asked for without a fallback and cannot start; the message names what is missing.</exception>
    public SentenceEmbeddingGenerator(string modelDirectory, SentenceEmbeddingGeneratorOptions? options = null, ILogger? logger = null)
        : this(modelDirectory, options, logger, OnnxEmbeddingBackend.Load)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SentenceEmbeddingGenerator"/> class whose batches run on the backend the factory creates.</summary>
    /// <param name="modelDirectory">The model folder (its tokenizer, pooling and prompts).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    /// <param name="createBackend">Creates the backend that runs the model: ONNX Runtime, or a fake in tests.</param>
    internal SentenceEmbeddingGenerator(string modelDirectory, SentenceEmbeddingGeneratorOptions? options, ILogger? logger, EmbeddingBackendFactory createBackend)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        options ??= new SentenceEmbeddingGeneratorOptions();
        options.Validate();
        Options = options;

        _folder = ModelFolder.Read(modelDirectory);
        string onnxPath = _folder.FindOnnxFile(options.OnnxFile, options.OnnxVariant, useCuda: options.ExecutionProvider == ExecutionProvider.Cuda, options.Cpu);
        if (options.PromptName is not null && !_folder.Prompts.ContainsKey(options.PromptName))
        {
            throw new ArgumentException(UnknownPromptMessage(options.PromptName), nameof(options));
        }

        if (options.MaxSequenceLength > _folder.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.MaxSequenceLength,
                $"MaxSequenceLength {options.MaxSequenceLength} is more than the {_folder.MaxPositionEmbeddings} positions the model takes (config.json max_position_embeddings).");
        }

        _tokenizer = SentenceTokenizer.Load(_folder, options.MaxSequenceLength);
        if (options.ChunkOverlapTokens >= _tokenizer.MaxSequenceLength - 2)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.ChunkOverlapTokens,
                $"ChunkOverlapTokens {options.ChunkOverlapTokens} must be smaller than the window of {_tokenizer.MaxSequenceLength - 2} text tokens (MaxSequenceLength {_tokenizer.MaxSequenceLength} less [CLS] and [SEP]).");
        }

        _chunker = new TextChunker(_tokenizer, options.ChunkOverlapTokens, options.MaxChunksPerText);
        ModelId = options.ModelId ?? Path.GetFileName(_folder.Directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        _backend = createBackend(_folder, onnxPath, _tokenizer, options, ModelId, logger ?? NullLogger.Instance);
        OnnxPath = onnxPath;
        OnnxFile = Path.GetRelativePath(_folder.Directory, onnxPath).Replace('\\', '/');

        // A GPU is busy only with large batches; after a fallback the CPU's budget applies.
        bool onCuda = _backend.ExecutionProvider == ExecutionProvider.Cuda;
        int maxBatchTokens = onCuda ? options.Cuda.MaxBatchTokens : options.MaxBatchTokens;
        int maxBatchSize = onCuda ? options.Cuda.MaxBatchSize : options.MaxBatchSize;
        _scheduler = new BatchScheduler(_backend, maxBatchTokens, maxBatchSize, options.MaxQueuedTexts, options.QueueFullMode, options.MaxBatchDelay);
        _defaultPromptName = options.PromptName ?? _folder.DefaultPromptName;
        foreach (string prompt in _folder.Prompts.Values)
        {
            // As sentence-transformers: the prompt's token count with [CLS] and without the final [SEP] (chunking uses it less [CLS]).
            _promptTokenCounts[prompt] = _tokenizer.Tokenize(prompt).Length - 1;
        }

        Dimensions = _backend.Dimensions;
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelId, Dimensions);
    }

    /// <summary>Gets the options the generator was built with (a tier's merged options, when the registry built it).</summary>
    internal SentenceEmbeddingGeneratorOptions Options { get; }

    /// <summary>Gets the number of texts waiting in the generator's queue.</summary>
    internal int QueuedTexts => _scheduler.QueuedTexts;

    /// <summary>Gets the model id reported in embeddings and metadata.</summary>
    public string ModelId { get; }

    /// <summary>Gets the length of the vectors this generator produces.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of tokens, special tokens included, after which a text is truncated.</summary>
    public int MaxSequenceLength => _tokenizer.MaxSequenceLength;

    /// <summary>Gets the full path of the ONNX file being run.</summary>
    public string OnnxPath { get; }

    /// <summary>Gets the execution provider that runs the model: the one asked for, or <see cref="ExecutionProvider.Cpu"/> after a fallback.</summary>
    public ExecutionProvider ExecutionProvider => _backend.ExecutionProvider;

    /// <summary>Gets why the execution provider asked for could not start (what is missing, and the fix) when the model fell back to the CPU.</summary>
    /// <value><see langword="null"/> when the provider asked for runs the model.</value>
    public string? ExecutionProviderFallbackReason => _backend.FallbackReason;

    /// <summary>Gets the ONNX file being run, relative to the model folder (such as <c>onnx/model.onnx</c> or <c>onnx/model_qint8_avx512_vnni.onnx</c>).</summary>
    public string OnnxFile { get; }

    /// <summary>Gets the tokenizer that turns texts into the token ids the model sees.</summary>
    public SentenceTokenizer Tokenizer => _tokenizer;

    /// <summary>Gets a value indicating whether the vectors have unit length (the model ends with a Normalize module).</summary>
    public bool NormalizesEmbeddings => _folder.Normalize;

    /// <summary>Gets what happens to a text longer than <see cref="MaxSequenceLength"/> when the call does not say.</summary>
    public LongTextMode LongTextMode => Options.LongTextMode;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options ask for another model, other dimensions, an unknown prompt or an unknown <c>long_text</c> mode.</exception>
    /// <exception cref="TextTooLongException">In <see cref="SentenceEmbeddings.LongTextMode.Error"/> mode, a text is longer than <see cref="MaxSequenceLength"/>; nothing was run.</exception>
    /// <exception cref="ObjectDisposedException">The generator has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        string[] texts = ToTexts(values);
        string? prompt = ResolvePrompt(options);
        LongTextMode mode = LongTextModeNames.Resolve(options, Options.LongTextMode, LongTextPropertyName);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (mode == LongTextMode.Chunk)
        {
            ChunkedCall call = await RunChunkedAsync(texts, prompt, cancellationToken).ConfigureAwait(false);
            return ToResult(call);
        }

        // Text → tokens on the caller's thread; tokens → batches → ONNX Runtime → pooling → vectors on the dispatcher.
        (EmbeddingRequest request, bool[] truncated, long totalTokens) = Tokenize(texts, prompt, cancellationToken);
        if (mode == LongTextMode.Error)
        {
            ThrowIfTooLong(texts, truncated, prompt);
        }

        await _scheduler.RunAsync(request, cancellationToken).ConfigureAwait(false);
        return ToResult(request.Vectors, request.Lengths, truncated, totalTokens, chunkCounts: null);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options ask for another model, other dimensions, or an unknown prompt.</exception>
    /// <exception cref="ObjectDisposedException">The generator has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<ChunkedEmbedding>> GenerateChunksAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        string[] texts = ToTexts(values);
        string? prompt = ResolvePrompt(options);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ChunkedCall call = await RunChunkedAsync(texts, prompt, cancellationToken).ConfigureAwait(false);
        RecordUsage(call.TotalTokens, call.Truncated);
        return call.ToChunkedEmbeddings(texts, _folder.Normalize);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    /// <remarks>Calls still queued fail with <see cref="ObjectDisposedException"/>; a batch already running finishes first.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _scheduler.Dispose();
            _backend.Dispose();
        }
    }

    private string? ResolvePrompt(EmbeddingGenerationOptions? options)
    {
        if (options?.ModelId is string modelId && !string.Equals(modelId, ModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"This generator runs the model '{ModelId}', not '{modelId}'. Leave ModelId unset or use a generator for that model.", nameof(options));
        }

        if (options?.Dimensions is int dimensions && dimensions != Dimensions)
        {
            throw new ArgumentException($"The model '{ModelId}' produces {Dimensions} dimensions; {dimensions} were asked for.", nameof(options));
        }

        string? promptName = _defaultPromptName;
        if (options?.AdditionalProperties?.TryGetValue(PromptNamePropertyName, out object? requested) == true)
        {
            promptName = requested as string;
            if (promptName is not null && !_folder.Prompts.ContainsKey(promptName))
            {
                throw new ArgumentException(UnknownPromptMessage(promptName), nameof(options));
            }
        }

        return promptName is null ? null : _folder.Prompts[promptName];
    }

    private static string[] ToTexts(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] texts = [.. values];
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentNullException(nameof(values), $"The text at index {i} is null; pass an empty string to embed nothing.");
            }
        }

        return texts;
    }

    private async Task<ChunkedCall> RunChunkedAsync(string[] texts, string? prompt, CancellationToken cancellationToken)
    {
        // Chunks are items of one request, so the scheduler batches them with the other texts of this call and of concurrent calls.
        ChunkedCall call = ChunkedCall.Tokenize(texts, prompt, prompt is null ? 0 : _promptTokenCounts[prompt] - 1, PromptTokenCount(prompt), _tokenizer, _chunker, cancellationToken);
        await _scheduler.RunAsync(call.Request, cancellationToken).ConfigureAwait(false);
        return call;
    }

    private void ThrowIfTooLong(string[] texts, bool[] truncated, string? prompt)
    {
        int index = Array.IndexOf(truncated, true);
        if (index >= 0)
        {
            throw new TextTooLongException(index, _chunker.CountTokens(prompt is null ? texts[index] : string.Concat(prompt, texts[index])), MaxSequenceLength);
        }
    }

    private string UnknownPromptMessage(string promptName) => _folder.Prompts.Count == 0
        ? $"The model '{ModelId}' has no prompts (config_sentence_transformers.json), so the prompt '{promptName}' cannot be used."
        : $"The model '{ModelId}' has no prompt named '{promptName}'; its prompts are {string.Join(", ", _folder.Prompts.Keys)}.";

    private (EmbeddingRequest Request, bool[] Truncated, long TotalTokens) Tokenize(string[] texts, string? prompt, CancellationToken cancellationToken)
    {
        int count = texts.Length;
        int maxLength = MaxSequenceLength;
        int[] lengths = new int[count];
        int[] offsets = new int[count];
        bool[] truncated = new bool[count];
        long[] packed = ArrayPool<long>.Shared.Rent(Math.Max(count * 32, maxLength));
        int used = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (packed.Length - used < maxLength)
                {
                    long[] larger = ArrayPool<long>.Shared.Rent(Math.Max(packed.Length * 2, used + maxLength));
                    packed.AsSpan(0, used).CopyTo(larger);
                    ArrayPool<long>.Shared.Return(packed);
                    packed = larger;
                }

                string text = prompt is null ? texts[i] : string.Concat(prompt, texts[i]);
                int length = _tokenizer.Tokenize(text, packed.AsSpan(used, maxLength), out truncated[i]);
                offsets[i] = used;
                lengths[i] = length;
                used += length;
            }

            // An exact-size copy: the dispatcher may still read it after a cancelled caller has gone.
            var request = new EmbeddingRequest(packed[..used], offsets, lengths, PromptTokenCount(prompt));
            return (request, truncated, used);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(packed);
        }
    }

    private GeneratedEmbeddings<Embedding<float>> ToResult(ChunkedCall call)
    {
        (float[][] vectors, int[] tokenCounts, int[] chunkCounts) = call.Fold(_folder.Normalize);
        return ToResult(vectors, tokenCounts, call.Truncated, call.TotalTokens, chunkCounts);
    }

    private void RecordUsage(long totalTokens, bool[] truncated)
    {
        KeyValuePair<string, object?> modelTag = new("model", ModelId);
        SentenceEmbeddingsTelemetry.Tokens.Add(totalTokens, modelTag);
        int truncations = truncated.Count(t => t);
        if (truncations > 0)
        {
            SentenceEmbeddingsTelemetry.Truncations.Add(truncations, modelTag);
        }
    }

    private GeneratedEmbeddings<Embedding<float>> ToResult(float[][] vectors, int[] tokenCounts, bool[] truncated, long totalTokens, int[]? chunkCounts)
    {
        RecordUsage(totalTokens, truncated);
        int count = vectors.Length;
        var result = new GeneratedEmbeddings<Embedding<float>>(count)
        {
            Usage = new UsageDetails { InputTokenCount = totalTokens, TotalTokenCount = totalTokens },
        };
        DateTimeOffset createdAt = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++)
        {
            var properties = new AdditionalPropertiesDictionary
            {
                [TokenCountPropertyName] = tokenCounts[i],
                [TruncatedPropertyName] = truncated[i],
            };
            if (chunkCounts is not null)
            {
                properties[ChunkCountPropertyName] = chunkCounts[i];
            }

            result.Add(new Embedding<float>(vectors[i]) { ModelId = ModelId, CreatedAt = createdAt, AdditionalProperties = properties });
        }

        return result;
    }

    private int PromptTokenCount(string? prompt) =>
        prompt is null || _folder.Pooling.IncludePrompt ? 0 : _promptTokenCounts[prompt];
}
