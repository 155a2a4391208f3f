using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SentenceEmbeddings.Diagnostics;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.DependencyInjection;

/// <summary>Loads and warms up the <see cref="SentenceEmbeddingsOptions.Preload"/> tiers when the host starts.</summary>
internal sealed class ModelPreloadService(EmbeddingTierRegistry registry, IOptions<SentenceEmbeddingsOptions> options, ILogger<ModelPreloadService> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IList<string> preload = options.Value.Preload;
        if (preload.Count == 0)
        {
            return;
        }

        Log.Preloading(logger, string.Join(", ", preload));
        foreach (string tier in preload.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            // A preload tier that cannot load fails the host's start, as a bad configuration does.
            await registry.LoadAsync(tier, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
