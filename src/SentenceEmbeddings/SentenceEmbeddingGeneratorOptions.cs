namespace SentenceEmbeddings;

/// <summary>Options for loading and running a <see cref="SentenceEmbeddingGenerator"/>.</summary>
public sealed class SentenceEmbeddingGeneratorOptions
{
    /// <summary>Gets or sets the ONNX file to run, relative to the model folder.</summary>
    /// <value>A path such as <c>onnx/model_qint8_avx512_vnni.onnx</c>. The default is <see langword="null"/>: <c>model.onnx</c>, else <c>onnx/model.onnx</c>.</value>
    public string? OnnxFile { get; set; }

    /// <summary>Gets or sets the model id reported in embeddings and metadata.</summary>
    /// <value>The default is <see langword="null"/>: the model folder's name.</value>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets the number of tokens, special tokens included, after which a text is truncated.</summary>
    /// <value>The default is <see langword="null"/>: the model folder's <c>max_seq_length</c>, as sentence-transformers uses.</value>
    public int? MaxSequenceLength { get; set; }

    /// <summary>Gets or sets the most padded tokens (texts × padded length) that go through the model in one run.</summary>
    /// <value>The default is 8192. Larger batches of long texts cost memory without running faster on a CPU.</value>
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>Gets or sets the most texts that go through the model in one run.</summary>
    /// <value>The default is 64.</value>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Gets or sets the number of threads ONNX Runtime uses inside one run.</summary>
    /// <value>The default is 0: ONNX Runtime's choice, one per physical core.</value>
    public int IntraOpNumThreads { get; set; }

    /// <summary>Gets or sets the name of the model's prompt (from <c>config_sentence_transformers.json</c>) put before every text.</summary>
    /// <value>The default is <see langword="null"/>: the model's <c>default_prompt_name</c>, usually none. A call can choose another through
    /// <see cref="Microsoft.Extensions.AI.EmbeddingGenerationOptions.AdditionalProperties"/> key <c>prompt_name</c>.</value>
    public string? PromptName { get; set; }

    /// <summary>Throws when a value is out of its range.</summary>
    internal void Validate()
    {
        if (MaxSequenceLength is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "MaxSequenceLength must be at least 2 ([CLS] and [SEP]), or null for the model's own.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchTokens, 1, nameof(MaxBatchTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpNumThreads, nameof(IntraOpNumThreads));
    }
}
