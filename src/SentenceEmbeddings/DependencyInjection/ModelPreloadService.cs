using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SentenceEmbeddings.Diagnostics;

namespace SentenceEmbeddings.DependencyInjection;

/// <summary>Loads and warms up the <see cref="SentenceEmbeddingsOptions.Preload"/> tiers when the host starts, and cancels every pending
/// load and download when it stops.</summary>
internal sealed class ModelPreloadService(
    EmbeddingTierRegistry registry,
    IOptions<SentenceEmbeddingsOptions> options,
    ILogger<ModelPreloadService> logger,
    IHostApplicationLifetime? lifetime = null) : IHostedService, IDisposable
{
    private CancellationTokenRegistration _stopping;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires first thing when the host stops, before the server drains its requests: a multi-GB download
        // started by a request (AllowDownload) must not hold the shutdown.
        _stopping = lifetime?.ApplicationStopping.Register(registry.CancelPendingLoads) ?? default;
        IList<string> preload = options.Value.Preload;
        if (preload.Count == 0)
        {
            return;
        }

        Log.Preloading(logger, string.Join(", ", preload));
        foreach (string tier in preload.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            // A preload tier that cannot load fails the host's start, as a bad configuration does. The host cancels this token when it
            // is told to stop while starting, and the load is cancelled with it (no other caller waits for it yet).
            await registry.LoadAsync(tier, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        registry.CancelPendingLoads();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();
}
