using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.RateLimiting;
using OpenTelemetry.Metrics;
using SentenceEmbeddings;
using SentenceEmbeddings.Diagnostics;

namespace EmbeddingService;

/// <summary>Builds the service: tiers from configuration, the seed's endpoints, an OpenAI-compatible endpoint, health, limits and metrics.</summary>
public static class EmbeddingServiceApp
{
    /// <summary>Builds the web application; <c>--urls</c> and the usual configuration sources apply.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="configure">Changes the builder before the app is built (tests use it), or <see langword="null"/>.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);

        ServiceOptions limits = builder.Configuration.GetSection("Service").Get<ServiceOptions>() ?? new ServiceOptions();
        builder.Services.AddSingleton(limits);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);

        builder.Services.AddSentenceEmbeddings(builder.Configuration.GetSection(SentenceEmbeddingsOptions.SectionName));
        builder.Services.PostConfigure<SentenceEmbeddingsOptions>(o =>
        {
            // A relative models root means "next to the program", whatever the working folder.
            if (o.ModelsPath is { } path && !Path.IsPathRooted(path))
            {
                o.ModelsPath = Path.Combine(AppContext.BaseDirectory, path);
            }
        });

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddHealthChecks().AddCheck<PreloadHealthCheck>("models", tags: ["ready"]);
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetConcurrencyLimiter(
                "all",
                _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentRequests, QueueLimit = 0 }));
            o.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
                    new { Status = "error", Message = $"Too many requests at once (at most {limits.MaxConcurrentRequests}); retry shortly." },
                    cancellationToken));
            };
        });
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(SentenceEmbeddingsTelemetry.MeterName).AddPrometheusExporter());

        WebApplication app = builder.Build();
        app.UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));
        app.UseRateLimiter();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        SeedEndpoints.Map(app);
        OpenAIEndpoints.Map(app);
        return app;
    }

    /// <summary>Gives an answer without a body (no such endpoint: 404, wrong method: 405) the service's JSON error shape, OpenAI's under <c>/v1</c>.</summary>
    private static Task WriteStatusAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        int status = context.Response.StatusCode;
        string message = status switch
        {
            StatusCodes.Status404NotFound => $"No endpoint at {request.Path}; see the service's README for its endpoints.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
            _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
        };
        object body = request.Path.StartsWithSegments("/v1")
            ? new { Error = new { Message = message, Type = "invalid_request_error", Code = (string?)null } }
            : new { Status = "error", Message = message };
        return context.Response.WriteAsJsonAsync(body, context.RequestAborted);
    }
}
