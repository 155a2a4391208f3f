namespace SentenceEmbeddings.Tiers;

/// <summary>A loaded tier model with the count of calls using it; it is disposed once retired and idle.</summary>
internal sealed class LoadedModel(EmbeddingTier tier, string folder, SentenceEmbeddingGenerator generator, long bytes)
{
    private readonly DateTimeOffset _loadedAt = DateTimeOffset.UtcNow;
    private int _active;
    private int _retired;
    private int _disposed;
    private long _lastUsedTicks = DateTimeOffset.UtcNow.UtcTicks;

    public EmbeddingTier Tier { get; } = tier;

    public SentenceEmbeddingGenerator Generator { get; } = generator;

    public long Bytes { get; } = bytes;

    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    public bool IsIdle => Volatile.Read(ref _active) == 0;

    /// <summary>Counts a new user, unless the model has been retired.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _active);
        Volatile.Write(ref _lastUsedTicks, DateTimeOffset.UtcNow.UtcTicks);
        if (Volatile.Read(ref _retired) != 0)
        {
            Exit();
            return false;
        }

        return true;
    }

    /// <summary>Counts a user out; the last one out of a retired model disposes it.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _retired) != 0)
        {
            DisposeOnce();
        }
    }

    /// <summary>Marks the model unloaded: it is disposed now if idle, else when its last user leaves.</summary>
    public void Retire()
    {
        Volatile.Write(ref _retired, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            DisposeOnce();
        }
    }

    public LoadedModelInfo Describe() => new()
    {
        Tier = Tier.Name,
        ModelId = Tier.ModelId,
        Folder = folder,
        OnnxFile = Generator.OnnxFile,
        Dimensions = Generator.Dimensions,
        MaxSequenceLength = Generator.MaxSequenceLength,
        ApproximateMemoryBytes = Bytes,
        LoadedAt = _loadedAt,
        LastUsedAt = new DateTimeOffset(LastUsedTicks, TimeSpan.Zero),
        ActiveCalls = Volatile.Read(ref _active),
        ExecutionProvider = Generator.ExecutionProvider,
        ExecutionProviderFallbackReason = Generator.ExecutionProviderFallbackReason,
    };

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Generator.Dispose();
        }
    }
}
