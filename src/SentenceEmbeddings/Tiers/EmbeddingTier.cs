namespace SentenceEmbeddings;

/// <summary>A named model choice with its facts: the fast, balanced, accurate and multilingual defaults, or a custom one.</summary>
/// <remarks>Tiers are declared through <see cref="SentenceEmbeddingsOptions.Tiers"/> (code or configuration); the registry builds them, so the constructor is internal.</remarks>
public sealed class EmbeddingTier
{
    /// <summary>Initializes a new instance of the <see cref="EmbeddingTier"/> class.</summary>
    /// <param name="name">The tier's name, such as <c>fast</c>.</param>
    /// <param name="modelId">The HuggingFace model id.</param>
    /// <param name="useCase">What the tier is for, or <see langword="null"/>.</param>
    /// <param name="approximateSizeBytes">The approximate size of the weights, or <see langword="null"/>.</param>
    /// <param name="dimensions">The vector length, or <see langword="null"/>.</param>
    /// <param name="path">An explicit model folder, or <see langword="null"/>.</param>
    /// <param name="onnxFile">The ONNX file relative to the folder, or <see langword="null"/>.</param>
    /// <param name="maxSequenceLength">The truncation length, or <see langword="null"/> for the model's own.</param>
    /// <param name="onnxVariant">Which ONNX file runs when <paramref name="onnxFile"/> is not set, or <see langword="null"/> for the registry's default.</param>
    internal EmbeddingTier(string name, string modelId, string? useCase = null, long? approximateSizeBytes = null, int? dimensions = null, string? path = null, string? onnxFile = null, int? maxSequenceLength = null, OnnxVariant? onnxVariant = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        Name = name;
        ModelId = modelId;
        UseCase = useCase;
        ApproximateSizeBytes = approximateSizeBytes;
        Dimensions = dimensions;
        Path = path;
        OnnxFile = onnxFile;
        MaxSequenceLength = maxSequenceLength;
        OnnxVariant = onnxVariant;
    }

    /// <summary>Gets the tier's name.</summary>
    public string Name { get; }

    /// <summary>Gets the HuggingFace model id.</summary>
    public string ModelId { get; }

    /// <summary>Gets what the tier is for.</summary>
    public string? UseCase { get; }

    /// <summary>Gets the approximate size of the model's weights in bytes.</summary>
    public long? ApproximateSizeBytes { get; }

    /// <summary>Gets the length of the tier's vectors.</summary>
    public int? Dimensions { get; }

    /// <summary>Gets the explicit model folder, if one is configured.</summary>
    public string? Path { get; }

    /// <summary>Gets the ONNX file relative to the model folder, if one is configured.</summary>
    public string? OnnxFile { get; }

    /// <summary>Gets the truncation length, if one is configured.</summary>
    public int? MaxSequenceLength { get; }

    /// <summary>Gets which ONNX file runs when <see cref="OnnxFile"/> is not set, if configured for this tier.</summary>
    public OnnxVariant? OnnxVariant { get; }

    /// <summary>Gets the four default tiers: fast, balanced, accurate and multilingual.</summary>
    public static IReadOnlyList<EmbeddingTier> Defaults { get; } =
    [
        new("fast", "sentence-transformers/all-MiniLM-L6-v2", "real-time matching under high concurrency", 90_000_000, 384),
        new("balanced", "sentence-transformers/all-MiniLM-L12-v2", "balance of speed and accuracy", 120_000_000, 384),
        new("accurate", "sentence-transformers/all-mpnet-base-v2", "high-accuracy matching", 438_000_000, 768),
        new("multilingual", "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", "many languages, e.g. Chinese job texts", 120_000_000, 384),
    ];

    /// <summary>Returns a copy with the values the configuration sets.</summary>
    /// <param name="options">The configured values; unset ones keep this tier's.</param>
    /// <returns>The configured tier.</returns>
    internal EmbeddingTier With(EmbeddingTierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new EmbeddingTier(
            Name,
            string.IsNullOrWhiteSpace(options.ModelId) ? ModelId : options.ModelId,
            options.UseCase ?? UseCase,
            options.ApproximateSizeBytes ?? ApproximateSizeBytes,
            options.Dimensions ?? Dimensions,
            options.Path ?? Path,
            options.OnnxFile ?? OnnxFile,
            options.MaxSequenceLength ?? MaxSequenceLength,
            options.OnnxVariant ?? OnnxVariant);
    }
}
