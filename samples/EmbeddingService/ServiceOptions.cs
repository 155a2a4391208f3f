namespace EmbeddingService;

/// <summary>The service's request limits (configuration section <c>Service</c>).</summary>
public sealed class ServiceOptions
{
    /// <summary>Gets or sets the most texts in one request; more → 413.</summary>
    /// <value>The default is 256.</value>
    public int MaxTextsPerRequest { get; set; } = 256;

    /// <summary>Gets or sets the largest request body in bytes; larger → 413.</summary>
    /// <value>The default is 4 MiB.</value>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the most requests handled at once; more → 429.</summary>
    /// <value>The default is 256.</value>
    public int MaxConcurrentRequests { get; set; } = 256;
}
