using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.Inference;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Pooling;

namespace SentenceEmbeddings;

/// <summary>Generates sentence embeddings in-process with a sentence-transformers model exported to ONNX.</summary>
/// <remarks>
/// <para>Texts go through the same steps as in sentence-transformers: tokens (HuggingFace-exact WordPiece, truncated at the model's
/// <c>max_seq_length</c>), length-sorted batches, ONNX Runtime, the configured pooling, and L2 normalisation when the model has a
/// Normalize module.</para>
/// <para>All members are safe for concurrent use. Disposing while calls are running lets them finish first.</para>
/// </remarks>
public sealed class SentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The key in each embedding's <see cref="Embedding.AdditionalProperties"/> holding the number of tokens the model saw, special tokens included.</summary>
    public const string TokenCountPropertyName = "token_count";

    /// <summary>The key in each embedding's <see cref="Embedding.AdditionalProperties"/> telling whether the text was cut at the model's maximum length.</summary>
    public const string TruncatedPropertyName = "truncated";

    /// <summary>The key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> naming the model's prompt to put before each text.</summary>
    public const string PromptNamePropertyName = "prompt_name";

    private const string ProviderName = "SentenceEmbeddings";

    private readonly ModelFolder _folder;
    private readonly SentenceTokenizer _tokenizer;
    private readonly OnnxEncoder _encoder;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly int _maxBatchTokens;
    private readonly int _maxBatchSize;
    private readonly string? _defaultPromptName;
    private int _activeCalls;
    private int _disposed;
    private int _released;

    /// <summary>Initializes a new instance of the <see cref="SentenceEmbeddingGenerator"/> class from a model folder.</summary>
    /// <param name="modelDirectory">The folder of a sentence-transformers model as published on the HuggingFace hub, with its ONNX export.</param>
    /// <param name="options">The options to load and run the model with, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="modelDirectory"/> is null or empty, or an option is out of range.</exception>
    /// <exception cref="FileNotFoundException">The folder, its ONNX file or its tokenizer files are missing.</exception>
    /// <exception cref="InvalidModelFileException">A model file is malformed or asks for something unsupported.</exception>
    public SentenceEmbeddingGenerator(string modelDirectory, SentenceEmbeddingGeneratorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        options ??= new SentenceEmbeddingGeneratorOptions();
        options.Validate();

        _folder = ModelFolder.Read(modelDirectory);
        string onnxPath = _folder.FindOnnxFile(options.OnnxFile);
        if (options.PromptName is not null && !_folder.Prompts.ContainsKey(options.PromptName))
        {
            throw new ArgumentException(UnknownPromptMessage(options.PromptName), nameof(options));
        }

        _tokenizer = SentenceTokenizer.Load(_folder, options.MaxSequenceLength);
        _encoder = OnnxEncoder.Load(onnxPath, options.IntraOpNumThreads);
        OnnxPath = onnxPath;
        _maxBatchTokens = options.MaxBatchTokens;
        _maxBatchSize = options.MaxBatchSize;
        _defaultPromptName = options.PromptName ?? _folder.DefaultPromptName;
        ModelId = options.ModelId ?? Path.GetFileName(_folder.Directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        Dimensions = _encoder.OutputKind == ModelOutputKind.SentenceEmbedding ? _encoder.HiddenSize : _encoder.HiddenSize * _folder.Pooling.VectorCount;
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelId, Dimensions);
    }

    /// <summary>Gets the model id reported in embeddings and metadata.</summary>
    public string ModelId { get; }

    /// <summary>Gets the length of the vectors this generator produces.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of tokens, special tokens included, after which a text is truncated.</summary>
    public int MaxSequenceLength => _tokenizer.MaxSequenceLength;

    /// <summary>Gets the full path of the ONNX file being run.</summary>
    public string OnnxPath { get; }

    /// <summary>Gets the tokenizer that turns texts into the token ids the model sees.</summary>
    public SentenceTokenizer Tokenizer => _tokenizer;

    /// <summary>Gets a value indicating whether the vectors have unit length (the model ends with a Normalize module).</summary>
    public bool NormalizesEmbeddings => _folder.Normalize;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options ask for another model, other dimensions, or an unknown prompt.</exception>
    /// <exception cref="ObjectDisposedException">The generator has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
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

        string? prompt = ResolvePrompt(options);
        cancellationToken.ThrowIfCancellationRequested();

        Interlocked.Increment(ref _activeCalls);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return Task.FromResult(Generate(texts, prompt, cancellationToken));
        }
        finally
        {
            if (Interlocked.Decrement(ref _activeCalls) == 0 && Volatile.Read(ref _disposed) != 0)
            {
                ReleaseSession();
            }
        }
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
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && Volatile.Read(ref _activeCalls) == 0)
        {
            ReleaseSession();
        }
    }

    private void ReleaseSession()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _encoder.Dispose();
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

    private string UnknownPromptMessage(string promptName) => _folder.Prompts.Count == 0
        ? $"The model '{ModelId}' has no prompts (config_sentence_transformers.json), so the prompt '{promptName}' cannot be used."
        : $"The model '{ModelId}' has no prompt named '{promptName}'; its prompts are {string.Join(", ", _folder.Prompts.Keys)}.";

    private GeneratedEmbeddings<Embedding<float>> Generate(string[] texts, string? prompt, CancellationToken cancellationToken)
    {
        int count = texts.Length;
        int maxLength = MaxSequenceLength;
        int[] lengths = new int[count];
        int[] offsets = new int[count];
        bool[] truncated = new bool[count];
        int[] order = new int[count];
        long totalTokens = 0;
        var vectors = new float[count][];
        long[] scratch = ArrayPool<long>.Shared.Rent(maxLength);
        long[] tokenIds = ArrayPool<long>.Shared.Rent(Math.Max(count * 32, maxLength));
        try
        {
            // Text → tokens, packed one after another in a pooled buffer.
            int firstPooled = PromptTokenCount(prompt);
            int used = 0;
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string text = prompt is null ? texts[i] : string.Concat(prompt, texts[i]);
                int length = _tokenizer.Tokenize(text, scratch.AsSpan(0, maxLength), out truncated[i]);
                if (used + length > tokenIds.Length)
                {
                    long[] larger = ArrayPool<long>.Shared.Rent(Math.Max(tokenIds.Length * 2, used + length));
                    tokenIds.AsSpan(0, used).CopyTo(larger);
                    ArrayPool<long>.Shared.Return(tokenIds);
                    tokenIds = larger;
                }

                scratch.AsSpan(0, length).CopyTo(tokenIds.AsSpan(used));
                offsets[i] = used;
                lengths[i] = length;
                used += length;
                totalTokens += length;
            }

            // Tokens → length-sorted batches → ONNX Runtime → pooling → vectors.
            List<Batch> batches = BatchPlanner.Plan(lengths, _maxBatchTokens, _maxBatchSize, order);
            using var runOptions = new RunOptions();
            using CancellationTokenRegistration registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
            foreach (Batch batch in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunBatch(batch, order, offsets, lengths, tokenIds, firstPooled, runOptions, vectors, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(scratch);
            ArrayPool<long>.Shared.Return(tokenIds);
        }

        KeyValuePair<string, object?> modelTag = new("model", ModelId);
        SentenceEmbeddingsTelemetry.Tokens.Add(totalTokens, modelTag);
        int truncations = truncated.Count(t => t);
        if (truncations > 0)
        {
            SentenceEmbeddingsTelemetry.Truncations.Add(truncations, modelTag);
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(count)
        {
            Usage = new UsageDetails { InputTokenCount = totalTokens, TotalTokenCount = totalTokens },
        };
        DateTimeOffset createdAt = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++)
        {
            result.Add(new Embedding<float>(vectors[i])
            {
                ModelId = ModelId,
                CreatedAt = createdAt,
                AdditionalProperties = new AdditionalPropertiesDictionary
                {
                    [TokenCountPropertyName] = lengths[i],
                    [TruncatedPropertyName] = truncated[i],
                },
            });
        }

        return result;
    }

    private void RunBatch(Batch batch, int[] order, int[] offsets, int[] lengths, long[] tokenIds, int firstPooled, RunOptions runOptions, float[][] vectors, CancellationToken cancellationToken)
    {
        int sequenceLength = batch.SequenceLength;
        int cells = batch.Count * sequenceLength;
        int hidden = _encoder.HiddenSize;
        int outputSize = _encoder.OutputKind == ModelOutputKind.TokenEmbeddings ? cells * hidden : batch.Count * hidden;
        long[] inputIds = ArrayPool<long>.Shared.Rent(cells);
        long[] attentionMask = ArrayPool<long>.Shared.Rent(cells);
        long[] tokenTypeIds = ArrayPool<long>.Shared.Rent(cells);
        float[] output = ArrayPool<float>.Shared.Rent(outputSize);
        try
        {
            Array.Fill(inputIds, _tokenizer.PaddingTokenId, 0, cells);
            Array.Clear(attentionMask, 0, cells);
            Array.Clear(tokenTypeIds, 0, cells);
            for (int row = 0; row < batch.Count; row++)
            {
                int item = order[batch.Start + row];
                tokenIds.AsSpan(offsets[item], lengths[item]).CopyTo(inputIds.AsSpan(row * sequenceLength));
                attentionMask.AsSpan(row * sequenceLength, lengths[item]).Fill(1);
            }

            long started = Stopwatch.GetTimestamp();
            try
            {
                _encoder.Run(inputIds, attentionMask, tokenTypeIds, batch.Count, sequenceLength, runOptions, output.AsSpan(0, outputSize));
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            KeyValuePair<string, object?> model = new("model", ModelId);
            SentenceEmbeddingsTelemetry.InferenceDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, model);
            SentenceEmbeddingsTelemetry.BatchSize.Record(batch.Count, model);

            for (int row = 0; row < batch.Count; row++)
            {
                int item = order[batch.Start + row];
                float[] vector = new float[Dimensions];
                if (_encoder.OutputKind == ModelOutputKind.SentenceEmbedding)
                {
                    output.AsSpan(row * hidden, hidden).CopyTo(vector);
                }
                else
                {
                    ReadOnlySpan<float> tokens = output.AsSpan(row * sequenceLength * hidden, sequenceLength * hidden);
                    int pooledFrom = _folder.Pooling.IncludePrompt ? 0 : Math.Min(firstPooled, lengths[item]);
                    TokenPooler.Pool(tokens, hidden, lengths[item], pooledFrom, _folder.Pooling, vector);
                }

                if (_folder.Normalize)
                {
                    TokenPooler.NormalizeL2(vector);
                }

                vectors[item] = vector;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(inputIds);
            ArrayPool<long>.Shared.Return(attentionMask);
            ArrayPool<long>.Shared.Return(tokenTypeIds);
            ArrayPool<float>.Shared.Return(output);
        }
    }

    private int PromptTokenCount(string? prompt)
    {
        if (prompt is null || _folder.Pooling.IncludePrompt)
        {
            return 0;
        }

        // As sentence-transformers: the prompt's own token count without the final [SEP], so [CLS] is excluded too.
        return _tokenizer.Tokenize(prompt).Length - 1;
    }
}
