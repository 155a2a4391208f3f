using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SentenceEmbeddings.DependencyInjection;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.Hub;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings;

/// <summary>Lists the tiers, finds their model folders, and loads and unloads their models within a budget.</summary>
/// <remarks>
/// <para>A model loads once however many callers ask for it at the same moment, and only while one of them still waits: when every
/// caller has cancelled, or the host stops (<see cref="Dispose"/>, or the host's <c>ApplicationStopping</c> under dependency injection),
/// the load and its download are cancelled. When more models are loaded than
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
    private readonly HubEnvironment _hub;
    private readonly IHttpClientFactory? _httpClientFactory;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingTierRegistry"/> class.</summary>
    /// <param name="options">The tiers, where to find them and the loading budget.</param>
    /// <param name="logger">The logger for load, unload and eviction events, or <see langword="null"/>.</param>
    /// <remarks>The HuggingFace environment variables (<c>HF_HUB_CACHE</c>, <c>HF_HOME</c>, <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>)
    /// are read once, here, for what the options leave unset.</remarks>
    /// <exception cref="OptionsValidationException">A value is out of range or names no tier; each failure names its configuration key.</exception>
    public EmbeddingTierRegistry(SentenceEmbeddingsOptions options, ILogger<EmbeddingTierRegistry>? logger = null)
        : this(options, logger, HubEnvironment.FromProcess())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EmbeddingTierRegistry"/> class with the hub settings and HTTP clients given.</summary>
    /// <param name="options">The tiers, where to find them and the loading budget.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    /// <param name="hub">The HuggingFace environment, for what <paramref name="options"/> leaves unset.</param>
    /// <param name="httpClientFactory">Creates the client for <see cref="HubDownloader.HttpClientName"/>, or <see langword="null"/> for the downloader's own.</param>
    /// <param name="cpu">The CPU the int8 variants are chosen for, or <see langword="null"/> for this machine's.</param>
    internal EmbeddingTierRegistry(SentenceEmbeddingsOptions options, ILogger? logger, HubEnvironment hub, IHttpClientFactory? httpClientFactory = null, CpuFeatures? cpu = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The checks ValidateOnStart runs in a host, so that a registry built in code fails the same way, naming the keys.
        ValidateOptionsResult validation = new SentenceEmbeddingsOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SentenceEmbeddingsOptions), validation.Failures);
        }

        _tiers = options.BuildTiers();
        foreach (EmbeddingTier tier in _tiers)
        {
            _slots[tier.Name] = new TierSlot(tier);
        }

        DefaultTier = GetTier(options.DefaultTier);
        _hub = hub;
        _httpClientFactory = httpClientFactory;
        _locator = new ModelLocator(options.ModelsPath, options.HuggingFaceHubCache ?? hub.CacheDirectory, cpu: cpu);
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
    public string Locate(string nameOrModelId) => Resolve(GetTier(nameOrModelId)).Folder;

    /// <summary>Finds the ONNX file a tier would run on this machine, without loading it.</summary>
    /// <param name="nameOrModelId">A tier name or model id.</param>
    /// <returns>The file relative to the model folder, such as <c>onnx/model.onnx</c>.</returns>
    /// <exception cref="ArgumentException">No tier matches.</exception>
    /// <exception cref="ModelNotFoundException">The model is in none of the searched places (none holds the file the tier would run).</exception>
    public string ResolveOnnxFile(string nameOrModelId) => Resolve(GetTier(nameOrModelId)).OnnxFile;

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
    /// <exception cref="OperationCanceledException">The token was cancelled (the load goes on only while another caller waits for it), or the registry is shutting down.</exception>
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

        CancelPendingLoads();
        foreach (LoadedModel model in retired)
        {
            model.Retire();
        }
    }

    /// <summary>Cancels every load and download in progress, and every later one: the host is stopping.</summary>
    internal void CancelPendingLoads()
    {
        try
        {
            _shutdown.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Cancelled and disposed already.
        }
    }

    /// <summary>Takes a lease on a tier's model, loading it first if needed; the model is not unloaded while leased.</summary>
    internal async Task<ModelLease> AcquireAsync(EmbeddingTier tier, CancellationToken cancellationToken)
    {
        while (true)
        {
            PendingLoad? pending = null;
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
                    pending = slot.Loading ??= StartLoad(slot);
                    pending.Waiters++;
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
                model = await pending!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // This caller stops waiting; the load goes on while another caller waits, and is cancelled when none does.
                bool abandon;
                lock (_gate)
                {
                    abandon = --pending!.Waiters == 0 && slot.Loading == pending;
                    if (abandon)
                    {
                        slot.Loading = null;
                    }
                }

                if (abandon)
                {
                    pending.Cancel();
                }

                throw;
            }
            catch (Exception exception)
            {
                lock (_gate)
                {
                    pending!.Waiters--;
                }

                ObjectDisposedException.ThrowIf(_disposed, this);
                if (exception is not OperationCanceledException)
                {
                    Log.LoadFailed(_logger, exception, tier.Name, tier.ModelId);
                }

                throw;
            }

            lock (_gate)
            {
                pending.Waiters--;
                ObjectDisposedException.ThrowIf(_disposed, this);
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

    /// <summary>Starts loading a slot's model on the thread pool; call under the lock.</summary>
    private PendingLoad StartLoad(TierSlot slot)
    {
        var pending = new PendingLoad(CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token));
        Task? previous = slot.LastLoad;
        pending.Task = Task.Run(() => LoadIntoSlotAsync(slot, pending, previous), CancellationToken.None);
        slot.LastLoad = pending.Task;
        return pending;
    }

    /// <summary>Loads a model and puts it in its slot, unless every caller gave up on it meanwhile.</summary>
    private async Task<LoadedModel> LoadIntoSlotAsync(TierSlot slot, PendingLoad pending, Task? previous)
    {
        try
        {
            if (previous is not null)
            {
                // A cancelled load of this tier may still be closing its partial download; let it finish first.
                await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            LoadedModel model = await LoadModelAsync(slot.Tier, pending.Token).ConfigureAwait(false);
            bool kept;
            lock (_gate)
            {
                kept = !_disposed && slot.Loading == pending;
                if (kept)
                {
                    slot.Loading = null;
                    slot.Loaded = model;
                    SentenceEmbeddingsTelemetry.LoadedModels.Add(1);
                }
            }

            if (!kept)
            {
                model.Retire();
                throw new OperationCanceledException(pending.Token);
            }

            return model;
        }
        catch
        {
            lock (_gate)
            {
                if (slot.Loading == pending)
                {
                    slot.Loading = null;
                }
            }

            throw;
        }
        finally
        {
            pending.Dispose();
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

    /// <summary>The options a tier's generator is built with: each key from the tier, else the registry, else the default.</summary>
    internal SentenceEmbeddingGeneratorOptions GeneratorOptions(EmbeddingTier tier) => EngineOptionsMerge.ForTier(tier, _options);

    /// <summary>Finds a tier's folder and the ONNX file it runs, as its generator options choose.</summary>
    private ModelLocation Resolve(EmbeddingTier tier)
    {
        SentenceEmbeddingGeneratorOptions options = GeneratorOptions(tier);
        return _locator.Locate(tier, options.OnnxVariant, options.ExecutionProvider == ExecutionProvider.Cuda);
    }

    private async Task<LoadedModel> LoadModelAsync(EmbeddingTier tier, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        SentenceEmbeddingGeneratorOptions options = GeneratorOptions(tier);
        ModelLocation location = await LocateOrDownloadAsync(tier, options, cancellationToken).ConfigureAwait(false);

        // The file resolved here is the one the generator runs: the locator, the downloader and the generator choose alike.
        options.OnnxFile = location.OnnxFile;
        cancellationToken.ThrowIfCancellationRequested();
        var generator = new SentenceEmbeddingGenerator(location.Folder, options, _logger);
        try
        {
            // Warm-up: the first run allocates ONNX Runtime's buffers and JIT-compiles the pipeline.
            await generator.GenerateAsync(["warm up"], cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            generator.Dispose();
            throw;
        }

        long bytes = new FileInfo(generator.OnnxPath).Length;
        stopwatch.Stop();
        SentenceEmbeddingsTelemetry.LoadDuration.Record(stopwatch.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("tier", tier.Name));
        Log.ModelLoaded(_logger, tier.Name, tier.ModelId, location.Folder, generator.OnnxFile, stopwatch.ElapsedMilliseconds);
        return new LoadedModel(tier, location.Folder, generator, bytes);
    }

    private async Task<ModelLocation> LocateOrDownloadAsync(EmbeddingTier tier, SentenceEmbeddingGeneratorOptions options, CancellationToken cancellationToken)
    {
        bool useCuda = options.ExecutionProvider == ExecutionProvider.Cuda;
        try
        {
            return _locator.Locate(tier, options.OnnxVariant, useCuda);
        }
        catch (ModelNotFoundException) when (_options.AllowDownload)
        {
            // Found nowhere: fetch into the cache what the locator will then find, the int8 file for this CPU included.
        }

        HubDownloadOptions hub = HubDownloadOptions.From(_hub);
        hub.CacheDirectory = _options.HuggingFaceHubCache ?? _hub.CacheDirectory;
        hub.Endpoint = _options.HubEndpoint is { } endpoint ? new Uri(endpoint) : _hub.Endpoint;
        hub.OnnxFile = tier.OnnxFile;
        hub.OnnxVariant = useCuda ? OnnxVariant.Fp32 : options.OnnxVariant;
        hub.Cpu = _locator.Cpu;
        using HubDownloader downloader = _httpClientFactory is null
            ? new HubDownloader(hub)
            : new HubDownloader(_httpClientFactory.CreateClient(HubDownloader.HttpClientName), hub);
        Log.Downloading(_logger, tier.Name, tier.ModelId, hub.CacheDirectory);
        await downloader.DownloadAsync(tier.ModelId, progress: null, cancellationToken).ConfigureAwait(false);
        return _locator.Locate(tier, options.OnnxVariant, useCuda);
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

        /// <summary>Gets or sets the load callers wait for now.</summary>
        public PendingLoad? Loading { get; set; }

        /// <summary>Gets or sets the last load started, which a new load waits out in case every caller gave up on it.</summary>
        public Task? LastLoad { get; set; }

        public LoadedModel? Loaded { get; set; }
    }

    /// <summary>A load in progress, the callers waiting for it, and the means to cancel it when none waits any more.</summary>
    private sealed class PendingLoad(CancellationTokenSource cancellation) : IDisposable
    {
        public Task<LoadedModel> Task { get; set; } = null!;

        public CancellationToken Token { get; } = cancellation.Token;

        /// <summary>Gets or sets the number of callers waiting; read and written under the registry's lock.</summary>
        public int Waiters { get; set; }

        public void Cancel()
        {
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The load ended meanwhile; it finds its slot taken from it and retires what it loaded.
            }
        }

        public void Dispose() => cancellation.Dispose();
    }
}
