using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Tiers;

/// <summary>An embedding generator for a tier of the registry: it loads the model on first use and holds it only while a call runs.</summary>
internal sealed class TierEmbeddingGenerator(EmbeddingTierRegistry registry, EmbeddingTier tier) : IEmbeddingGenerator<string, Embedding<float>>, IChunkedEmbeddingGenerator
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("SentenceEmbeddings", providerUri: null, tier.ModelId, tier.Dimensions);

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        (EmbeddingTier target, options) = Target(options);
        using ModelLease lease = await registry.AcquireAsync(target, cancellationToken).ConfigureAwait(false);
        return await lease.Model.Generator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChunkedEmbedding>> GenerateChunksAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        (EmbeddingTier target, options) = Target(options);
        using ModelLease lease = await registry.AcquireAsync(target, cancellationToken).ConfigureAwait(false);
        return await lease.Model.Generator.GenerateChunksAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType == typeof(EmbeddingTier) ? tier
            : serviceType.IsInstanceOfType(registry) ? registry
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    // EmbeddingGenerationOptions.ModelId picks a tier by name or model id; the model itself is then asked without it.
    private (EmbeddingTier Target, EmbeddingGenerationOptions? Options) Target(EmbeddingGenerationOptions? options)
    {
        if (options?.ModelId is not string requested)
        {
            return (tier, options);
        }

        options = options.Clone();
        options.ModelId = null;
        return (registry.GetTier(requested), options);
    }

    /// <inheritdoc />
    /// <remarks>The registry owns the models; disposing a tier generator leaves them loaded.</remarks>
    public void Dispose()
    {
    }
}
