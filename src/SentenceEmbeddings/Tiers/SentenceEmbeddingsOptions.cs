using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings;

/// <summary>Options of the tier registry: which tiers exist, where their models are, which load at start, and how many stay loaded.</summary>
/// <remarks>Bound from the configuration section <c>SentenceEmbeddings</c> by <c>AddSentenceEmbeddings(IConfiguration)</c>.</remarks>
public sealed class SentenceEmbeddingsOptions
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "SentenceEmbeddings";

    /// <summary>Gets or sets the tier used when a call names none.</summary>
    /// <value>The default is <c>fast</c>.</value>
    public string DefaultTier { get; set; } = "fast";

    /// <summary>Gets or sets the models root (a mounted store), searched as <c>{root}/{org}/{name}</c> and <c>{root}/{name}</c>.</summary>
    /// <value>The default is <see langword="null"/>: no models root.</value>
    public string? ModelsPath { get; set; }

    /// <summary>Gets or sets the HuggingFace hub cache folder to search.</summary>
    /// <value>The default is <see langword="null"/>: <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>~/.cache/huggingface/hub</c>.</value>
    public string? HuggingFaceHubCache { get; set; }

    /// <summary>Gets or sets a value indicating whether a model found nowhere is downloaded from the HuggingFace hub into the cache on first use.</summary>
    /// <value>The default is <see langword="false"/>: production hosts get their models ahead of time (<c>sentence-embeddings download</c>).</value>
    public bool AllowDownload { get; set; }

    /// <summary>Gets or sets the hub to download from when <see cref="AllowDownload"/> is on.</summary>
    /// <value>The default is <see langword="null"/>: <c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</value>
    public string? HubEndpoint { get; set; }

    /// <summary>Gets or sets which ONNX file runs for tiers that set neither <see cref="EmbeddingTierOptions.OnnxFile"/> nor <see cref="EmbeddingTierOptions.OnnxVariant"/>.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.OnnxVariant.Fp32"/>: the exact vectors of sentence-transformers. <see cref="SentenceEmbeddings.OnnxVariant.Auto"/>
    /// runs a published int8 variant suited to this CPU where the model folder has one (2–3 times faster, about 0.99 cosine to fp32).</value>
    public OnnxVariant OnnxVariant { get; set; } = OnnxVariant.Fp32;

    /// <summary>Gets the tiers loaded and warmed up when the host starts.</summary>
    /// <value>The default is empty: every tier loads on first use.</value>
    public IList<string> Preload { get; } = [];

    /// <summary>Gets or sets the most models kept loaded; beyond it the least recently used idle model is unloaded.</summary>
    /// <value>The default is 3.</value>
    public int MaxLoadedModels { get; set; } = 3;

    /// <summary>Gets or sets the most bytes of model weights kept loaded (the ONNX files' sizes); beyond it idle models are unloaded, least recently used first.</summary>
    /// <value>The default is <see langword="null"/>: no limit but <see cref="MaxLoadedModels"/>.</value>
    public long? MaxMemoryBytes { get; set; }

    /// <summary>Gets or sets where ONNX Runtime runs the tiers' models, unless a tier says otherwise.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.ExecutionProvider.Cpu"/>. <see cref="SentenceEmbeddings.ExecutionProvider.Cuda"/> needs the
    /// <c>SentenceEmbeddings.Cuda</c> package.</value>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>Gets or sets the CUDA device and provider options of every tier that runs on CUDA and has no <c>Cuda</c> section of its own.</summary>
    /// <value>The default is a <see cref="CudaOptions"/> with its defaults: device 0, fall back to the CPU.</value>
    public CudaOptions Cuda { get; set; } = new();

    /// <summary>Gets or sets what the tiers do with a text longer than their maximum sequence length, unless a tier says otherwise.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.LongTextMode.Truncate"/>: exactly sentence-transformers.</value>
    public LongTextMode LongTextMode { get; set; } = LongTextMode.Truncate;

    /// <summary>Gets or sets how many tokens consecutive chunks share, unless a tier says otherwise; it must be smaller than each tier's window.</summary>
    /// <value>The default is <see langword="null"/>: an eighth of each model's window.</value>
    public int? ChunkOverlapTokens { get; set; }

    /// <summary>Gets or sets the most chunks one text is cut into, unless a tier says otherwise.</summary>
    /// <value>The default is 128, as <see cref="SentenceEmbeddingGeneratorOptions.MaxChunksPerText"/>.</value>
    public int MaxChunksPerText { get; set; } = 128;

    /// <summary>Gets the tiers by name: settings for the defaults (fast, balanced, accurate, multilingual) or new custom tiers.</summary>
    /// <value>The default is empty: the four default tiers as they are.</value>
    public IDictionary<string, EmbeddingTierOptions> Tiers { get; } = new Dictionary<string, EmbeddingTierOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Builds the list of tiers: the defaults with their configured values, then the custom tiers.</summary>
    /// <returns>The tiers, defaults first.</returns>
    internal List<EmbeddingTier> BuildTiers()
    {
        var tiers = new List<EmbeddingTier>();
        foreach (EmbeddingTier tier in EmbeddingTier.Defaults)
        {
            tiers.Add(Tiers.TryGetValue(tier.Name, out EmbeddingTierOptions? configured) ? tier.With(configured) : tier);
        }

        foreach ((string name, EmbeddingTierOptions configured) in Tiers)
        {
            if (!tiers.Exists(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) && !string.IsNullOrWhiteSpace(configured.ModelId))
            {
                tiers.Add(new EmbeddingTier(name, configured.ModelId).With(configured));
            }
        }

        return tiers;
    }
}
