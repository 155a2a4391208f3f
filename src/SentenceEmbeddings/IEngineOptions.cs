namespace SentenceEmbeddings;

/// <summary>The engine keys as a tier, the registry and a generator each hold them: unset (<see langword="null"/>) where the next level's value applies.</summary>
/// <remarks>
/// <see cref="EngineOptionRules.Check"/> validates them in one place and the tier registry merges them in one function
/// (<c>EngineOptionsMerge.ForTier</c>). A new key is a property on <see cref="EmbeddingEngineOptions"/> (registry and tiers), one here,
/// one on <see cref="SentenceEmbeddingGeneratorOptions"/> with its explicit implementation, and a line in each of those two functions.
/// </remarks>
internal interface IEngineOptions
{
    OnnxVariant? OnnxVariant { get; }

    int? MaxSequenceLength { get; }

    int? MaxBatchTokens { get; }

    int? MaxBatchSize { get; }

    int? MaxQueuedTexts { get; }

    QueueFullMode? QueueFullMode { get; }

    TimeSpan? MaxBatchDelay { get; }

    int? IntraOpNumThreads { get; }

    ThreadSpinning? ThreadSpinning { get; }

    ExecutionProvider? ExecutionProvider { get; }

    CudaOptions? Cuda { get; }

    /// <summary>Gets what to do with a text longer than the window.</summary>
    LongTextMode? LongTextMode { get; }

    /// <summary>Gets the tokens consecutive chunks share.</summary>
    int? ChunkOverlapTokens { get; }

    /// <summary>Gets the most chunks of one text.</summary>
    int? MaxChunksPerText { get; }
}
