namespace SentenceEmbeddings;

/// <summary>Options for loading and running a <see cref="SentenceEmbeddingGenerator"/>.</summary>
public sealed class SentenceEmbeddingGeneratorOptions : IEngineOptions
{
    /// <summary>Gets or sets the ONNX file to run, relative to the model folder; it wins over <see cref="OnnxVariant"/>.</summary>
    /// <value>A path such as <c>onnx/model_qint8_avx512_vnni.onnx</c>. The default is <see langword="null"/>: the file <see cref="OnnxVariant"/> chooses.</value>
    public string? OnnxFile { get; set; }

    /// <summary>Gets or sets which of the folder's ONNX files runs when <see cref="OnnxFile"/> is not set.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.OnnxVariant.Fp32"/>: <c>model.onnx</c>, else <c>onnx/model.onnx</c>, the exact vectors of
    /// sentence-transformers. <see cref="SentenceEmbeddings.OnnxVariant.Auto"/> runs a published int8 variant suited to this CPU when the folder has one.</value>
    public OnnxVariant OnnxVariant { get; set; } = OnnxVariant.Fp32;

    /// <summary>Gets or sets the model id reported in embeddings and metadata.</summary>
    /// <value>The default is <see langword="null"/>: the model folder's name.</value>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets the number of tokens, special tokens included, after which a text is truncated.</summary>
    /// <value>The default is <see langword="null"/>: the model folder's <c>max_seq_length</c>, as sentence-transformers uses.</value>
    public int? MaxSequenceLength { get; set; }

    /// <summary>Gets or sets the most padded tokens (texts × padded length) that go through the model in one run.</summary>
    /// <value>The default is 2048 (8 texts of 256 tokens, or 64 of 32). Larger batches of long texts cost memory (ONNX Runtime's
    /// arena keeps the largest batch's activations: a peak of about 480 MB at 4096 against 350 MB at 2048 for all-MiniLM-L6-v2)
    /// without running faster on a CPU.</value>
    public int MaxBatchTokens { get; set; } = 2048;

    /// <summary>Gets or sets the most texts that go through the model in one run.</summary>
    /// <value>The default is 64.</value>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Gets or sets the most texts that may wait in the generator's queue; a single call larger than this still runs when the queue is empty.</summary>
    /// <value>The default is 65,536.</value>
    public int MaxQueuedTexts { get; set; } = 65_536;

    /// <summary>Gets or sets what a call does when the queue is full.</summary>
    /// <value>The default is <see cref="QueueFullMode.Wait"/>.</value>
    public QueueFullMode QueueFullMode { get; set; } = QueueFullMode.Wait;

    /// <summary>Gets or sets how long a batch that is not full may wait for texts of concurrent calls before it runs.</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>: a lone call runs at once, and calls that arrive while a batch runs join the next.</value>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the number of threads ONNX Runtime uses inside one run.</summary>
    /// <value>The default is 0: ONNX Runtime's choice, one per physical core.</value>
    public int IntraOpNumThreads { get; set; }

    /// <summary>Gets or sets when ONNX Runtime's threads busy-wait for work instead of sleeping.</summary>
    /// <value>The default is <see cref="ThreadSpinning.DuringRuns"/>: no thread wake-up inside a run (a one-sentence call costs what
    /// <c>session.Run</c> costs), and no spinning between runs, which would take the cores concurrent callers need to parse requests
    /// and tokenize (benchmarks/README.md has the figures).</value>
    public ThreadSpinning ThreadSpinning { get; set; }

    /// <summary>Gets or sets the name of the model's prompt (from <c>config_sentence_transformers.json</c>) put before every text.</summary>
    /// <value>The default is <see langword="null"/>: the model's <c>default_prompt_name</c>, usually none. A call can choose another through
    /// <see cref="Microsoft.Extensions.AI.EmbeddingGenerationOptions.AdditionalProperties"/> key <c>prompt_name</c>.</value>
    public string? PromptName { get; set; }

    /// <summary>Gets or sets what happens to a text with more tokens than <see cref="MaxSequenceLength"/>.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.LongTextMode.Truncate"/>: exactly sentence-transformers. A call can choose another through
    /// <see cref="Microsoft.Extensions.AI.EmbeddingGenerationOptions.AdditionalProperties"/> key <c>long_text</c> (<c>truncate</c>, <c>chunk</c> or <c>error</c>).</value>
    public LongTextMode LongTextMode { get; set; } = LongTextMode.Truncate;

    /// <summary>Gets or sets how many tokens consecutive chunks share in <see cref="SentenceEmbeddings.LongTextMode.Chunk"/> mode (rounded to whole words); it must be smaller than the window.</summary>
    /// <value>The default is <see langword="null"/>: an eighth of the window (the maximum sequence length less the special tokens and the prompt).
    /// In the evaluation of docs/long-documents.md 0, 1/8, 1/4 and 1/2 scored alike (cuts fall at sentence ends); 1/8 costs 13 % more tokens than none
    /// and keeps context where a window has to end inside a sentence.</value>
    public int? ChunkOverlapTokens { get; set; }

    /// <summary>Gets or sets the most chunks one text is cut into; the rest of a longer text is dropped and flagged <c>truncated</c>.</summary>
    /// <value>The default is 128: a 5,000-word English document is whole at every model's window (about 40 chunks of all-MiniLM-L6-v2's 256 tokens,
    /// about 90 of the multilingual tier's 128), and a 10 MB text costs at most 128 windows.</value>
    public int MaxChunksPerText { get; set; } = 128;

    /// <summary>Gets or sets where ONNX Runtime runs the model.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.ExecutionProvider.Cpu"/>. <see cref="SentenceEmbeddings.ExecutionProvider.Cuda"/> needs the
    /// <c>SentenceEmbeddings.Cuda</c> package (its <c>UseCuda</c> sets this), and falls back to the CPU as <see cref="CudaOptions.FallbackToCpu"/> says.</value>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>Gets or sets the CUDA device and provider options, read when <see cref="ExecutionProvider"/> is <see cref="SentenceEmbeddings.ExecutionProvider.Cuda"/>.</summary>
    /// <value>The default is a <see cref="CudaOptions"/> with its defaults: device 0, fall back to the CPU.</value>
    public CudaOptions Cuda { get; set; } = new();

    /// <summary>Gets or sets the CPU that <see cref="OnnxVariant"/> chooses for (tests name one; the default is this machine's).</summary>
    internal ModelFolders.CpuFeatures Cpu { get; set; } = ModelFolders.CpuFeatures.Current;

    OnnxVariant? IEngineOptions.OnnxVariant => OnnxVariant;

    int? IEngineOptions.MaxBatchTokens => MaxBatchTokens;

    int? IEngineOptions.MaxBatchSize => MaxBatchSize;

    int? IEngineOptions.MaxQueuedTexts => MaxQueuedTexts;

    QueueFullMode? IEngineOptions.QueueFullMode => QueueFullMode;

    TimeSpan? IEngineOptions.MaxBatchDelay => MaxBatchDelay;

    int? IEngineOptions.IntraOpNumThreads => IntraOpNumThreads;

    ThreadSpinning? IEngineOptions.ThreadSpinning => ThreadSpinning;

    ExecutionProvider? IEngineOptions.ExecutionProvider => ExecutionProvider;

    LongTextMode? IEngineOptions.LongTextMode => LongTextMode;

    int? IEngineOptions.MaxChunksPerText => MaxChunksPerText;

    /// <summary>Throws when a value is out of its range; the message names each bad key (the rules of <see cref="EngineOptionRules"/>).</summary>
    /// <exception cref="ArgumentNullException"><see cref="Cuda"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; <see cref="ArgumentException.ParamName"/> is the first bad key.</exception>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Cuda, nameof(Cuda));
        var problems = new List<string>();
        EngineOptionRules.Check(this, string.Empty, problems);
        if (problems.Count > 0)
        {
            string key = problems[0][..problems[0].IndexOf(' ', StringComparison.Ordinal)];
            throw new ArgumentOutOfRangeException(key, string.Join(" ", problems));
        }
    }
}
