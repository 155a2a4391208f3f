using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SentenceEmbeddings;
using SentenceEmbeddings.DependencyInjection;
using SentenceEmbeddings.Hub;
using SentenceEmbeddings.Tiers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the tier registry and its embedding generators in a service collection.</summary>
public static class SentenceEmbeddingsServiceCollectionExtensions
{
    /// <summary>Adds the tier registry, the default generator and one keyed generator per tier, configured from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The <c>SentenceEmbeddings</c> section itself (not the root).</param>
    /// <returns>A builder to add middleware to the generators.</returns>
    public static SentenceEmbeddingsBuilder AddSentenceEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ConfigurationEnumCheck.ThrowIfUnknown(configuration);
        services.AddOptions<SentenceEmbeddingsOptions>().Bind(configuration);

        // The keyed registrations need the tier names now; the options themselves are bound again when resolved.
        var names = new SentenceEmbeddingsOptions();
        configuration.Bind(names);
        return AddCore(services, names);
    }

    /// <summary>Adds the tier registry, the default generator and one keyed generator per tier, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to add middleware to the generators.</returns>
    public static SentenceEmbeddingsBuilder AddSentenceEmbeddings(this IServiceCollection services, Action<SentenceEmbeddingsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SentenceEmbeddingsOptions>().Configure(configure);
        var names = new SentenceEmbeddingsOptions();
        configure(names);
        return AddCore(services, names);
    }

    private static SentenceEmbeddingsBuilder AddCore(IServiceCollection services, SentenceEmbeddingsOptions names)
    {
        services.AddOptions<SentenceEmbeddingsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SentenceEmbeddingsOptions>, SentenceEmbeddingsOptionsValidator>());
        services.TryAddSingleton(sp => new EmbeddingTierRegistry(
            sp.GetRequiredService<IOptions<SentenceEmbeddingsOptions>>().Value,
            sp.GetService<ILogger<EmbeddingTierRegistry>>(),
            HubEnvironment.FromProcess(),
            sp.GetRequiredService<IHttpClientFactory>()));

        // The hub's client: redirects followed by HubDownloader itself (decision 7); retries and timeouts are its own Polly pipeline
        // (decision 14), so none is added here. A host may add handlers of its own (a proxy, logging) to this named client.
        services.AddHttpClient(HubDownloader.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(HubDownloader.CreatePrimaryHandler);
        services.AddHostedService<ModelPreloadService>();

        // The model belongs in every call's options, so that a cache in front of two tiers never mixes their vectors.
        EmbeddingGeneratorBuilder<string, Embedding<float>> defaultGenerator = services
            .AddEmbeddingGenerator(sp => sp.GetRequiredService<EmbeddingTierRegistry>().GetGenerator())
            .Use((inner, sp) => NameTheTier(inner, sp.GetRequiredService<EmbeddingTierRegistry>().DefaultTier.Name));
        var tierGenerators = new Dictionary<string, EmbeddingGeneratorBuilder<string, Embedding<float>>>(StringComparer.OrdinalIgnoreCase);
        foreach (EmbeddingTier tier in names.BuildTiers())
        {
            string tierName = tier.Name;
            tierGenerators[tierName] = services
                .AddKeyedEmbeddingGenerator(tierName, sp => sp.GetRequiredService<EmbeddingTierRegistry>().GetGenerator(tierName))
                .Use((inner, _) => NameTheTier(inner, tierName));
        }

        return new SentenceEmbeddingsBuilder(services, defaultGenerator, tierGenerators);
    }

    /// <summary>Puts the tier into every call's options (outermost, so caches and telemetry further in see it).</summary>
    private static ConfigureOptionsEmbeddingGenerator<string, Embedding<float>> NameTheTier(IEmbeddingGenerator<string, Embedding<float>> inner, string tierName) =>
        new ConfigureOptionsEmbeddingGenerator<string, Embedding<float>>(inner, o => o.ModelId ??= tierName);
}
