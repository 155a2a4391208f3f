using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SentenceEmbeddings;
using SentenceEmbeddings.Tiers;

namespace EmbeddingService;

/// <summary>Ready once every preloaded tier is loaded and warm.</summary>
internal sealed class PreloadHealthCheck(EmbeddingTierRegistry registry, IOptions<SentenceEmbeddingsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string[] missing = [.. options.Value.Preload.Where(tier => !registry.IsLoaded(tier))];
        return Task.FromResult(missing.Length == 0
            ? HealthCheckResult.Healthy($"Loaded: {string.Join(", ", registry.LoadedModels.Select(m => $"{m.Tier} ({m.ExecutionProvider})"))}")
            : HealthCheckResult.Unhealthy($"Not loaded yet: {string.Join(", ", missing)}"));
    }
}
