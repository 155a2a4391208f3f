using SentenceEmbeddings.Hub;
using SentenceEmbeddings.ModelFolders;

namespace SentenceEmbeddings;

/// <summary>Options for downloading a sentence-transformers model from the HuggingFace hub.</summary>
/// <remarks>The defaults are constants; <see cref="FromEnvironment"/> gives the ones huggingface_hub reads from environment variables.</remarks>
public sealed class HubDownloadOptions
{
    /// <summary>Gets or sets the hub's address.</summary>
    /// <value>The default is <c>https://huggingface.co</c>.</value>
    public Uri Endpoint { get; set; } = HubEnvironment.DefaultEndpoint;

    /// <summary>Gets or sets the access token sent to the hub (gated and private models). It is never logged.</summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public string? Token { get; set; }

    /// <summary>Gets or sets the revision (branch, tag or commit) to download.</summary>
    /// <value>The default is <c>main</c>.</value>
    public string Revision { get; set; } = HubCacheLayout.DefaultRevision;

    /// <summary>Gets or sets the ONNX file to download, relative to the repository root; it wins over <see cref="OnnxVariant"/>.</summary>
    /// <value>The default is <see langword="null"/>: the file <see cref="OnnxVariant"/> chooses among the repository's files; for example
    /// <c>onnx/model_qint8_avx512_vnni.onnx</c>.</value>
    public string? OnnxFile { get; set; }

    /// <summary>Gets or sets which of the repository's ONNX files to download when <see cref="OnnxFile"/> is not set.</summary>
    /// <value>The default is <see cref="SentenceEmbeddings.OnnxVariant.Fp32"/>: <c>model.onnx</c>, else <c>onnx/model.onnx</c>.
    /// <see cref="SentenceEmbeddings.OnnxVariant.Auto"/> downloads the published int8 variant this CPU runs (the one a generator with
    /// <c>Auto</c> then picks), else fp32.</value>
    public OnnxVariant OnnxVariant { get; set; } = OnnxVariant.Fp32;

    /// <summary>Gets or sets the HuggingFace hub cache to download into, shared with Python's huggingface_hub.</summary>
    /// <value>The default is <c>~/.cache/huggingface/hub</c>.</value>
    public string CacheDirectory { get; set; } = HubEnvironment.DefaultCacheDirectory;

    /// <summary>Gets or sets a value indicating whether no request may be sent: only what is cached is used.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Offline { get; set; }

    /// <summary>Gets or sets how many times a failed request (5xx, 408, 429, a dropped connection, a timeout) or a broken transfer is tried again.</summary>
    /// <value>The default is 4.</value>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Gets or sets the wait before the first retry; it doubles with each further retry (a 429's or 503's <c>Retry-After</c> wins).</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a request may wait for the hub's answer, or a transfer go without receiving a byte, before it is abandoned and tried again.</summary>
    /// <value>The default is 60 seconds.</value>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the CPU the <see cref="OnnxVariant"/> choice is made for (tests name one; the default is this machine's).</summary>
    internal CpuFeatures Cpu { get; set; } = CpuFeatures.Current;

    /// <summary>Creates options with the defaults huggingface_hub reads from the environment: <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>,
    /// <c>HF_HUB_CACHE</c> (else <c>HF_HOME/hub</c>) and <c>HF_HUB_OFFLINE</c>.</summary>
    /// <returns>The options; the variables are read now, once.</returns>
    public static HubDownloadOptions FromEnvironment() => From(HubEnvironment.FromProcess());

    /// <summary>Creates options with the defaults of a given environment.</summary>
    internal static HubDownloadOptions From(HubEnvironment environment) => new()
    {
        Endpoint = environment.Endpoint,
        Token = environment.Token,
        CacheDirectory = environment.CacheDirectory,
        Offline = environment.Offline,
    };

    /// <summary>Checks the values, naming the property that is out of range.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint, nameof(Endpoint));
        ArgumentException.ThrowIfNullOrWhiteSpace(Revision, nameof(Revision));
        ArgumentException.ThrowIfNullOrWhiteSpace(CacheDirectory, nameof(CacheDirectory));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        if (ReadTimeout < TimeSpan.FromMilliseconds(10) || ReadTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ReadTimeout), ReadTimeout, "ReadTimeout must be between 10 ms and one day.");
        }
    }
}
