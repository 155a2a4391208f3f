using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings;

/// <summary>Options for downloading a sentence-transformers model from the HuggingFace hub.</summary>
public sealed class HubDownloadOptions
{
    /// <summary>Gets or sets the hub's address.</summary>
    /// <value>The default is the <c>HF_ENDPOINT</c> environment variable, else <c>https://huggingface.co</c>.</value>
    public Uri Endpoint { get; set; } = new(Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } endpoint ? endpoint : "https://huggingface.co");

    /// <summary>Gets or sets the access token sent to the hub (gated and private models). It is never logged.</summary>
    /// <value>The default is the <c>HF_TOKEN</c> environment variable, else none.</value>
    public string? Token { get; set; } = Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } token ? token : null;

    /// <summary>Gets or sets the revision (branch, tag or commit) to download.</summary>
    /// <value>The default is <c>main</c>.</value>
    public string Revision { get; set; } = "main";

    /// <summary>Gets or sets the ONNX variant to download, relative to the repository root.</summary>
    /// <value>The default is <c>onnx/model.onnx</c>; for example <c>onnx/model_qint8_avx512_vnni.onnx</c>.</value>
    public string OnnxFile { get; set; } = "onnx/model.onnx";

    /// <summary>Gets or sets the HuggingFace hub cache to download into, shared with Python's huggingface_hub.</summary>
    /// <value>The default is <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>~/.cache/huggingface/hub</c>.</value>
    public string CacheDirectory { get; set; } = ModelLocator.DefaultHuggingFaceHubCache();

    /// <summary>Gets or sets a value indicating whether no request may be sent: only what is cached is used.</summary>
    /// <value>The default is <see langword="true"/> when the <c>HF_HUB_OFFLINE</c> environment variable is <c>1</c>.</value>
    public bool Offline { get; set; } = Environment.GetEnvironmentVariable("HF_HUB_OFFLINE") is "1" or "true" or "TRUE" or "yes";

    /// <summary>Gets or sets how many times a failed request (5xx, a dropped connection, a timeout) is tried again.</summary>
    /// <value>The default is 4.</value>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Gets or sets the wait before the first retry; it doubles with each further retry.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a request may go without receiving a byte before it is abandoned and tried again.</summary>
    /// <value>The default is 60 seconds.</value>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
