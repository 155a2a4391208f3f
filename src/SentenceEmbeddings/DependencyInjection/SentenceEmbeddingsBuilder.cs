using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace SentenceEmbeddings;

/// <summary>What <c>AddSentenceEmbeddings</c> registered: the default generator's pipeline and one keyed pipeline per tier.</summary>
public sealed class SentenceEmbeddingsBuilder
{
    internal SentenceEmbeddingsBuilder(IServiceCollection services, EmbeddingGeneratorBuilder<string, Embedding<float>> defaultGenerator, IReadOnlyDictionary<string, EmbeddingGeneratorBuilder<string, Embedding<float>>> tierGenerators)
    {
        Services = services;
        DefaultGenerator = defaultGenerator;
        TierGenerators = tierGenerators;
    }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Gets the pipeline of the default <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (the default tier).</summary>
    public EmbeddingGeneratorBuilder<string, Embedding<float>> DefaultGenerator { get; }

    /// <summary>Gets the pipelines of the keyed generators, by tier name.</summary>
    public IReadOnlyDictionary<string, EmbeddingGeneratorBuilder<string, Embedding<float>>> TierGenerators { get; }

    /// <summary>Adds the same middleware to the default generator and to every tier's generator.</summary>
    /// <param name="configure">Adds middleware, such as <c>b =&gt; b.UseDistributedCache().UseOpenTelemetry()</c>.</param>
    /// <returns>This builder.</returns>
    public SentenceEmbeddingsBuilder ConfigureGenerators(Action<EmbeddingGeneratorBuilder<string, Embedding<float>>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(DefaultGenerator);
        foreach (EmbeddingGeneratorBuilder<string, Embedding<float>> builder in TierGenerators.Values)
        {
            configure(builder);
        }

        return this;
    }
}
