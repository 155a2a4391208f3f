namespace SentenceEmbeddings;

/// <summary>The engine keys that the tier registry (<see cref="SentenceEmbeddingsOptions"/>) and each tier (<see cref="EmbeddingTierOptions"/>) may set; a tier's value wins.</summary>
/// <remarks>
/// Declared once for both configuration levels (<c>SentenceEmbeddings:MaxBatchTokens</c>, <c>SentenceEmbeddings:Tiers:fast:MaxBatchTokens</c>);
/// only the two options classes of this library derive from it.
/// </remarks>
public abstract class EmbeddingEngineOptions
{
    /// <summary>Initializes a new instance of the <see cref="EmbeddingEngineOptions"/> class.</summary>
    private protected EmbeddingEngineOptions()
    {
    }

    /// <summary>Gets or sets the number of tokens, special tokens included, after which a text is truncated.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else the model folder's <c>max_seq_length</c> (<see cref="SentenceEmbeddingGeneratorOptions.MaxSequenceLength"/>).</value>
    public int? MaxSequenceLength { get; set; }

    /// <summary>Gets or sets the most padded tokens (texts × padded length) in one model run.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else 2048 (<see cref="SentenceEmbeddingGeneratorOptions.MaxBatchTokens"/>).</value>
    public int? MaxBatchTokens { get; set; }

    /// <summary>Gets or sets the most texts in one model run.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else 64 (<see cref="SentenceEmbeddingGeneratorOptions.MaxBatchSize"/>).</value>
    public int? MaxBatchSize { get; set; }

    /// <summary>Gets or sets the most texts that may wait in a generator's queue.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else 65,536 (<see cref="SentenceEmbeddingGeneratorOptions.MaxQueuedTexts"/>).</value>
    public int? MaxQueuedTexts { get; set; }

    /// <summary>Gets or sets what a call does when the queue is full: wait, or fail with <see cref="EmbeddingQueueFullException"/>.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else <see cref="SentenceEmbeddings.QueueFullMode.Wait"/> (<see cref="SentenceEmbeddingGeneratorOptions.QueueFullMode"/>).</value>
    public QueueFullMode? QueueFullMode { get; set; }

    /// <summary>Gets or sets how long a batch that is not full may wait for texts of concurrent calls.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else zero (<see cref="SentenceEmbeddingGeneratorOptions.MaxBatchDelay"/>).</value>
    public TimeSpan? MaxBatchDelay { get; set; }

    /// <summary>Gets or sets the number of threads ONNX Runtime uses inside one run.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else 0, ONNX Runtime's choice (<see cref="SentenceEmbeddingGeneratorOptions.IntraOpNumThreads"/>).</value>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>Gets or sets when ONNX Runtime's threads busy-wait for work instead of sleeping.</summary>
    /// <value>The default is <see langword="null"/>: a tier's own value, else the registry's, else <see cref="SentenceEmbeddings.ThreadSpinning.DuringRuns"/> (<see cref="SentenceEmbeddingGeneratorOptions.ThreadSpinning"/>).</value>
    public ThreadSpinning? ThreadSpinning { get; set; }

    /// <summary>Gets or sets what to do with a text longer than the maximum sequence length: truncate it, embed it in chunks, or fail.</summary>
    /// <value>The default is <see langword="null"/>: the registry's value, else <see cref="SentenceEmbeddings.LongTextMode.Truncate"/> (exactly sentence-transformers).</value>
    public LongTextMode? LongTextMode { get; set; }

    /// <summary>Gets or sets how many tokens consecutive chunks share; it must be smaller than the window.</summary>
    /// <value>The default is <see langword="null"/>: the registry's value, else an eighth of the model's window.</value>
    public int? ChunkOverlapTokens { get; set; }

    /// <summary>Gets or sets the most chunks one text is cut into; the rest of the text is dropped and the item flagged truncated.</summary>
    /// <value>The default is <see langword="null"/>: the registry's value, else 128.</value>
    public int? MaxChunksPerText { get; set; }
}
