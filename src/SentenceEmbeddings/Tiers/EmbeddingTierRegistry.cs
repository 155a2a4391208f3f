using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings;

/// <summary>Lists the tiers, finds their model folders, and loads and unloads their models within a budget.</summary>
/// <remarks>
/// <para>A model loads once however many callers ask for it at the same moment. When more models are loaded than
/// <see cref="SentenceEmbeddingsOptions.MaxLoadedModels"/> allows, or their weights exceed
/// <see cref="SentenceEmbeddingsOptions.MaxMemoryBytes"/>, the least recently used idle model is unloaded; a model in use
/// is never unloaded under a caller.</para>
/// <para>All members are safe for concurrent use.</para>
/// </remarks>
public sealed class EmbeddingTierRegistry : IDisposable
{
    private readonly Dictionary<string, TierSlot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<EmbeddingTier> _tiers;
    private readonly ModelLocator _locator;
    private readonly ILogger _logger;
    private readonly int _maxLoadedModels;
    private readonly long? _maxMemoryBytes;
    private readonly SentenceEmbeddingsOptions _options;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingTierRegistry"/> class.</summary>
    /// <param name="options">The tiers, where to find them and the loading budget.</param>
    /// <param name="logger">The logger for load, unload and eviction events, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The default tier is not a tier, or the budget is out of range.</exception>
    public EmbeddingTierRegistry(SentenceEmbeddingsOptions options, ILogger<EmbeddingTierRegistry>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLoadedModels, 1, nameof(options));
        if (options.MaxMemoryBytes is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxMemoryBytes, "MaxMemoryBytes must not be negative.");
        }

        _tiers = options.BuildTiers();
        foreach (EmbeddingTier tier in _tiers)
        {
            _slots[tier.Name] = new TierSlot(tier);
        }

        DefaultTier = TryGetTier(options.DefaultTier, out EmbeddingTier? defaultTier)
            ? defaultTier
            : throw new ArgumentException(UnknownTierMessage(options.DefaultTier), nameof(options));
        _locator = new ModelLocator(options.ModelsPath, options.HuggingFaceHubCache);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _maxLoadedModels = options.MaxLoadedModels;
        _maxMemoryBytes = options.MaxMemoryBytes;
        _options = options;
    }

    /// <summary>Gets every tier, the four defaults first.</summary>
    public IReadOnlyList<EmbeddingTier> Tiers => _tiers;

    /// <summary>Gets the tier used when a call names none.</summary>
    public EmbeddingTier DefaultTier { get; }

    /// <summary>Gets a snapshot of the models loaded right now.</summary>
    public IReadOnlyList<LoadedModelInfo> LoadedModels
    {
        get
        {
            lock (_gate)
            {
                return [.. _slots.Values.Where(s => s.Loaded is not null).Select(s => s.Loaded!.Describe())];
            }
        }
    }

    /// <summary>Finds a tier by its name or its model id (case-insensitive).</summary>
    /// <param name="nameOrModelId">A tier name such as <c>fast</c>, or a model id such as <c>sentence-transformers/all-MiniLM-L6-v2</c>.</param>
    /// <param name="tier">The tier, when found.</param>
    /// <returns><see langword="true"/> when a tier matches.</returns>
    public bool TryGetTier(string? nameOrModelId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EmbeddingTier? tier)
    {
        tier = nameOrModelId is null ? null
            : _slots.TryGetValue(nameOrModelId, out TierSlot? slot) ? slot.Tier
            : _tiers.Find(t => string.Equals(t.ModelId, nameOrModelId, StringComparison.OrdinalIgnoreCase));
        return tier is not null;
    }

    /// <summary>Gets a tier by its name or its model id.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <returns>The tier.</returns>
    /// <exception cref="ArgumentException">No tier matches; the message lists the known tiers.</exception>
    public EmbeddingTier GetTier(string nameOrModelId) =>
        TryGetTier(nameOrModelId, out EmbeddingTier? tier) ? tier : throw new ArgumentException(UnknownTierMessage(nameOrModelId), nameof(nameOrModelId));

    /// <summary>Finds the model folder of a tier without loading it.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <returns>The model folder.</returns>
    /// <exception cref="ArgumentException">No tier matches.</exception>
    /// <exception cref="ModelNotFoundException">The model is in none of the searched places; the message lists them.</exception>
    public string Locate(string nameOrModelId) => _locator.Locate(GetTier(nameOrModelId));

    /// <summary>Finds the ONNX file a tier would run on this machine, without loading it.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <returns>The file relative to the model folder, such as <c>onnx/model.onnx</c>.</returns>
    /// <exception cref="ArgumentException">No tier matches.</exception>
    /// <exception cref="ModelNotFoundException">The model is in none of the searched places.</exception>
    /// <exception cref="FileNotFoundException">The folder has no such ONNX file.</exception>
    public string ResolveOnnxFile(string nameOrModelId)
    {
        EmbeddingTier tier = GetTier(nameOrModelId);
        ModelFolders.ModelFolder folder = ModelFolders.ModelFolder.Read(_locator.Locate(tier));
        SentenceEmbeddingGeneratorOptions options = GeneratorOptions(tier);
        string path = folder.FindOnnxFile(options.OnnxFile, options.OnnxVariant, options.ExecutionProvider == ExecutionProvider.Cuda);
        return System.IO.Path.GetRelativePath(folder.Directory, path).Replace('\\', '/');
    }

    /// <summary>Gets a value indicating whether a tier's model is loaded.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <returns><see langword="true"/> when it is loaded.</returns>
    public bool IsLoaded(string nameOrModelId)
    {
        EmbeddingTier tier = GetTier(nameOrModelId);
        lock (_gate)
        {
            return _slots[tier.Name].Loaded is not null;
        }
    }

    /// <summary>Loads and warms up a tier's model, unless it is loaded already.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <param name="cancellationToken">The <see cref="CancellationToken"/> to monitor for cancellation requests. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>A snapshot of the loaded model.</returns>
    /// <exception cref="ArgumentException">No tier matches.</exception>
    /// <exception cref="ModelNotFoundException">The model is in none of the searched places.</exception>
    public async Task<LoadedModelInfo> LoadAsync(string nameOrModelId, CancellationToken cancellationToken = default)
    {
        using ModelLease lease = await AcquireAsync(GetTier(nameOrModelId), cancellationToken).ConfigureAwait(false);
        return lease.Model.Describe();
    }

    /// <summary>Unloads a tier's model; calls already running on it finish first, and the next call loads it again.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <returns><see langword="true"/> when a loaded model was unloaded.</returns>
    /// <exception cref="ArgumentException">No tier matches.</exception>
    public bool Unload(string nameOrModelId)
    {
        EmbeddingTier tier = GetTier(nameOrModelId);
        LoadedModel? retired;
        lock (_gate)
        {
            retired = Detach(_slots[tier.Name]);
        }

        if (retired is null)
        {
            return false;
        }

        retired.Retire();
        Log.ModelUnloaded(_logger, tier.Name, tier.ModelId);
        return true;
    }

    /// <summary>Gets a generator for a tier that loads the model on first use.</summary>
    /// <param name="nameOrModelId">A tier name or model id, or <see langword="null"/> for the default tier.</param>
    /// <returns>The generator. A call may pick another tier with <see cref="EmbeddingGenerationOptions.ModelId"/>.</returns>
    /// <exception cref="ArgumentException">No tier matches.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> GetGenerator(string? nameOrModelId = null) =>
        new TierEmbeddingGenerator(this, nameOrModelId is null ? DefaultTier : GetTier(nameOrModelId));

    /// <inheritdoc />
    public void Dispose()
    {
        List<LoadedModel> retired;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            retired = [.. _slots.Values.Select(Detach).OfType<LoadedModel>()];
        }

        foreach (LoadedModel model in retired)
        {
            model.Retire();
        }
    }

    /// <summary>Takes a lease on a tier's model, loading it first if needed; the model is not unloaded while leased.</summary>
    internal async Task<ModelLease> AcquireAsync(EmbeddingTier tier, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<LoadedModel>? loading = null;
            TierSlot slot;
            List<LoadedModel> evicted = [];
            ModelLease? lease = null;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                slot = _slots[tier.Name];
                if (slot.Loaded is { } loaded && loaded.TryEnter())
                {
                    // A model that was busy when the budget was last exceeded may be idle now.
                    evicted = EvictOverBudget(keep: slot);
                    lease = new ModelLease(loaded);
                }
                else
                {
                    loading = slot.Loading ??= Task.Run(() => Load(slot.Tier), CancellationToken.None);
                }
            }

            if (lease is not null)
            {
                Retire(evicted);
                return lease;
            }

            LoadedModel model;
            try
            {
                // A cancelled caller stops waiting; the load itself goes on for the others.
                model = await loading!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                lock (_gate)
                {
                    if (slot.Loading == loading)
                    {
                        slot.Loading = null;
                    }
                }

                Log.LoadFailed(_logger, exception, tier.Name, tier.ModelId);
                throw;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    // The registry was disposed while this model loaded: it must not outlive the registry.
                    model.Retire();
                    throw new ObjectDisposedException(nameof(EmbeddingTierRegistry));
                }

                if (slot.Loading == loading)
                {
                    slot.Loading = null;
                    slot.Loaded = model;
                    SentenceEmbeddingsTelemetry.LoadedModels.Add(1);
                }

                if (slot.Loaded != model || !model.TryEnter())
                {
                    // Unloaded between the load and this caller; go round and load again.
                    continue;
                }

                evicted = EvictOverBudget(keep: slot);
            }

            Retire(evicted);
            return new ModelLease(model);
        }
    }

    private void Retire(List<LoadedModel> evicted)
    {
        foreach (LoadedModel victim in evicted)
        {
            victim.Retire();
            Log.ModelEvicted(_logger, victim.Tier.Name, victim.Tier.ModelId, _maxLoadedModels, _maxMemoryBytes);
        }
    }

    /// <summary>The generator options of a tier: its own values, else the registry's defaults.</summary>
    private SentenceEmbeddingGeneratorOptions GeneratorOptions(EmbeddingTier tier)
    {
        _options.Tiers.TryGetValue(tier.Name, out EmbeddingTierOptions? configured);
        return new SentenceEmbeddingGeneratorOptions
        {
            ModelId = tier.ModelId,
            OnnxFile = tier.OnnxFile,
            OnnxVariant = tier.OnnxVariant ?? _options.OnnxVariant,
            MaxSequenceLength = tier.MaxSequenceLength,
            ExecutionProvider = configured?.ExecutionProvider ?? _options.ExecutionProvider,
            Cuda = configured?.Cuda ?? _options.Cuda,
            LongTextMode = configured?.LongTextMode ?? _options.LongTextMode,
            ChunkOverlapTokens = configured?.ChunkOverlapTokens ?? _options.ChunkOverlapTokens,
            MaxChunksPerText = configured?.MaxChunksPerText ?? _options.MaxChunksPerText,
        };
    }

    private LoadedModel Load(EmbeddingTier tier)
    {
        var stopwatch = Stopwatch.StartNew();
        string folder = LocateOrDownload(tier);
        var generator = new SentenceEmbeddingGenerator(folder, GeneratorOptions(tier), _logger);
        try
        {
            // Warm-up: the first run allocates ONNX Runtime's buffers and JIT-compiles the pipeline.
            generator.GenerateAsync(["warm up"]).GetAwaiter().GetResult();
        }
        catch
        {
            generator.Dispose();
            throw;
        }

        long bytes = new FileInfo(generator.OnnxPath).Length;
        stopwatch.Stop();
        SentenceEmbeddingsTelemetry.LoadDuration.Record(stopwatch.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("tier", tier.Name));
        Log.ModelLoaded(_logger, tier.Name, tier.ModelId, folder, generator.OnnxFile, stopwatch.ElapsedMilliseconds);
        return new LoadedModel(tier, folder, generator, bytes);
    }

    private string LocateOrDownload(EmbeddingTier tier)
    {
        try
        {
            return _locator.Locate(tier);
        }
        catch (ModelNotFoundException) when (_options.AllowDownload)
        {
            var hub = new HubDownloadOptions { OnnxFile = tier.OnnxFile ?? "onnx/model.onnx" };
            if (_options.HuggingFaceHubCache is { } cache)
            {
                hub.CacheDirectory = cache;
            }

            if (_options.HubEndpoint is { } endpoint)
            {
                hub.Endpoint = new Uri(endpoint);
            }

            // Load runs on a pool thread of its own; blocking it on the download keeps one load per tier.
            using var downloader = new HubDownloader(hub);
            Log.Downloading(_logger, tier.Name, tier.ModelId, hub.CacheDirectory);
            downloader.DownloadAsync(tier.ModelId).GetAwaiter().GetResult();
            return _locator.Locate(tier);
        }
    }

    /// <summary>Picks the least recently used idle models to unload until the budget holds; call under the lock.</summary>
    private List<LoadedModel> EvictOverBudget(TierSlot keep)
    {
        var evicted = new List<LoadedModel>();
        while (true)
        {
            List<TierSlot> loaded = [.. _slots.Values.Where(s => s.Loaded is not null)];
            long bytes = loaded.Sum(s => s.Loaded!.Bytes);
            if (loaded.Count <= _maxLoadedModels && (_maxMemoryBytes is null || bytes <= _maxMemoryBytes))
            {
                return evicted;
            }

            TierSlot? victim = loaded
                .Where(s => s != keep && s.Loaded!.IsIdle)
                .OrderBy(s => s.Loaded!.LastUsedTicks)
                .FirstOrDefault();
            if (victim is null)
            {
                Log.OverBudget(_logger, loaded.Count, bytes);
                return evicted;
            }

            evicted.Add(Detach(victim)!);
        }
    }

    /// <summary>Takes the loaded model out of its slot; call under the lock.</summary>
    private static LoadedModel? Detach(TierSlot slot)
    {
        LoadedModel? model = slot.Loaded;
        slot.Loaded = null;
        if (model is not null)
        {
            SentenceEmbeddingsTelemetry.LoadedModels.Add(-1);
        }

        return model;
    }

    private string UnknownTierMessage(string? name) =>
        $"Unknown tier '{name}'. Known tiers: {string.Join(", ", _tiers.Select(t => $"{t.Name} ({t.ModelId})"))}.";

    /// <summary>One tier's loading state.</summary>
    private sealed class TierSlot(EmbeddingTier tier)
    {
        public EmbeddingTier Tier { get; } = tier;

        public Task<LoadedModel>? Loading { get; set; }

        public LoadedModel? Loaded { get; set; }
    }
}
