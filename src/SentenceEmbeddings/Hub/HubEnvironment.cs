namespace SentenceEmbeddings.Hub;

/// <summary>The hub settings huggingface_hub reads from environment variables, read once where options are built.</summary>
/// <param name="CacheDirectory"><c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>.</param>
/// <param name="Endpoint"><c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</param>
/// <param name="Token"><c>HF_TOKEN</c>, else none.</param>
/// <param name="Offline"><c>HF_HUB_OFFLINE</c> set to <c>1</c>, <c>true</c> or <c>yes</c>.</param>
internal sealed record HubEnvironment(string CacheDirectory, Uri Endpoint, string? Token, bool Offline)
{
    /// <summary>The hub's address when <c>HF_ENDPOINT</c> is not set.</summary>
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>Gets the cache huggingface_hub uses when no variable names one: <c>~/.cache/huggingface/hub</c>.</summary>
    public static string DefaultCacheDirectory { get; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub");

    /// <summary>Reads the settings from this process's environment.</summary>
    public static HubEnvironment FromProcess() => Read(Environment.GetEnvironmentVariable);

    /// <summary>Reads the settings from a source of environment variables.</summary>
    /// <param name="variable">Gets a variable's value, or <see langword="null"/> when it is not set.</param>
    public static HubEnvironment Read(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string? Get(string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

        string cache = Get("HF_HUB_CACHE")
            ?? (Get("HF_HOME") is { } home ? Path.Combine(home, "hub")
            : Get("XDG_CACHE_HOME") is { } xdg ? Path.Combine(xdg, "huggingface", "hub")
            : DefaultCacheDirectory);
        Uri endpoint = Get("HF_ENDPOINT") is { } address ? new Uri(address) : DefaultEndpoint;
        bool offline = Get("HF_HUB_OFFLINE")?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";
        return new HubEnvironment(cache, endpoint, Get("HF_TOKEN"), offline);
    }
}
