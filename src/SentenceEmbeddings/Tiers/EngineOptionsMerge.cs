namespace SentenceEmbeddings.Tiers;

/// <summary>Builds a tier's generator options: the tier's value of each key, else the registry's, else the generator's default.</summary>
internal static class EngineOptionsMerge
{
    /// <summary>Merges the keys for one tier; a new key is one line here.</summary>
    /// <param name="tier">The tier (its model id, ONNX file and the values its configuration set).</param>
    /// <param name="registry">The registry's options, holding every tier's configuration.</param>
    /// <returns>The options the tier's generator is built with.</returns>
    public static SentenceEmbeddingGeneratorOptions ForTier(EmbeddingTier tier, SentenceEmbeddingsOptions registry)
    {
        registry.Tiers.TryGetValue(tier.Name, out EmbeddingTierOptions? configured);
        var defaults = new SentenceEmbeddingGeneratorOptions();
        return new SentenceEmbeddingGeneratorOptions
        {
            ModelId = tier.ModelId,
            OnnxFile = tier.OnnxFile,
            OnnxVariant = tier.OnnxVariant ?? registry.OnnxVariant,
            MaxSequenceLength = tier.MaxSequenceLength ?? registry.MaxSequenceLength,
            MaxBatchTokens = configured?.MaxBatchTokens ?? registry.MaxBatchTokens ?? defaults.MaxBatchTokens,
            MaxBatchSize = configured?.MaxBatchSize ?? registry.MaxBatchSize ?? defaults.MaxBatchSize,
            MaxQueuedTexts = configured?.MaxQueuedTexts ?? registry.MaxQueuedTexts ?? defaults.MaxQueuedTexts,
            QueueFullMode = configured?.QueueFullMode ?? registry.QueueFullMode ?? defaults.QueueFullMode,
            MaxBatchDelay = configured?.MaxBatchDelay ?? registry.MaxBatchDelay ?? defaults.MaxBatchDelay,
            IntraOpNumThreads = configured?.IntraOpNumThreads ?? registry.IntraOpNumThreads ?? defaults.IntraOpNumThreads,
            ThreadSpinning = configured?.ThreadSpinning ?? registry.ThreadSpinning ?? defaults.ThreadSpinning,
            PromptName = configured?.PromptName,
            ExecutionProvider = configured?.ExecutionProvider ?? registry.ExecutionProvider,
            Cuda = configured?.Cuda ?? registry.Cuda, // a tier's Cuda section replaces the registry's as a whole
            LongTextMode = configured?.LongTextMode ?? registry.LongTextMode ?? defaults.LongTextMode,
            ChunkOverlapTokens = configured?.ChunkOverlapTokens ?? registry.ChunkOverlapTokens ?? defaults.ChunkOverlapTokens,
            MaxChunksPerText = configured?.MaxChunksPerText ?? registry.MaxChunksPerText ?? defaults.MaxChunksPerText,
        };
    }
}
