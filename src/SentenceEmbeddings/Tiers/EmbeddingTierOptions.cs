namespace SentenceEmbeddings;

/// <summary>The configuration of one tier: which model it runs and where its files are.</summary>
/// <remarks>Any property left unset on a default tier (fast, balanced, accurate, multilingual) keeps that tier's value.</remarks>
public sealed class EmbeddingTierOptions
{
    /// <summary>Gets or sets the HuggingFace model id, such as <c>sentence-transformers/all-MiniLM-L6-v2</c>.</summary>
    /// <value>Required for a custom tier. The default is <see langword="null"/>.</value>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets an explicit model folder, searched before any other place.</summary>
    /// <value>The default is <see langword="null"/>: the models root, the HuggingFace cache, then embedded models.</value>
    public string? Path { get; set; }

    /// <summary>Gets or sets the ONNX file to run, relative to the model folder; it wins over <see cref="OnnxVariant"/>.</summary>
    /// <value>The default is <see langword="null"/>: the file <see cref="OnnxVariant"/> chooses.</value>
    public string? OnnxFile { get; set; }

    /// <summary>Gets or sets which of the folder's ONNX files runs when <see cref="OnnxFile"/> is not set.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="SentenceEmbeddingsOptions.OnnxVariant"/>.</value>
    public OnnxVariant? OnnxVariant { get; set; }

    /// <summary>Gets or sets what the tier is for, shown when tiers are listed.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? UseCase { get; set; }

    /// <summary>Gets or sets the approximate size of the model's weights in bytes, shown when tiers are listed.</summary>
    /// <value>The default is <see langword="null"/>: unknown until loaded.</value>
    public long? ApproximateSizeBytes { get; set; }

    /// <summary>Gets or sets the length of the tier's vectors, shown before the model is loaded.</summary>
    /// <value>The default is <see langword="null"/>: unknown until loaded.</value>
    public int? Dimensions { get; set; }

    /// <summary>Gets or sets the truncation length.</summary>
    /// <value>The default is <see langword="null"/>: the model folder's <c>max_seq_length</c>.</value>
    public int? MaxSequenceLength { get; set; }

    /// <summary>Gets or sets where ONNX Runtime runs this tier's model.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="SentenceEmbeddingsOptions.ExecutionProvider"/>.</value>
    public ExecutionProvider? ExecutionProvider { get; set; }

    /// <summary>Gets or sets this tier's CUDA options, replacing <see cref="SentenceEmbeddingsOptions.Cuda"/> as a whole.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="SentenceEmbeddingsOptions.Cuda"/>.</value>
    public CudaOptions? Cuda { get; set; }

    /// <summary>Gets or sets what this tier does with a text longer than its maximum sequence length.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="SentenceEmbeddingsOptions.LongTextMode"/>.</value>
    public LongTextMode? LongTextMode { get; set; }

    /// <summary>Gets or sets how many tokens consecutive chunks of this tier share; it must be smaller than the window.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="SentenceEmbeddingsOptions.ChunkOverlapTokens"/>.</value>
    public int? ChunkOverlapTokens { get; set; }

    /// <summary>Gets or sets the most chunks one text is cut into for this tier.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="SentenceEmbeddingsOptions.MaxChunksPerText"/>.</value>
    public int? MaxChunksPerText { get; set; }
}
