namespace SentenceEmbeddings.Tiers;

/// <summary>Finds a tier's model folder: an explicit folder, then the models root, then the HuggingFace cache, then models embedded in an assembly.</summary>
internal sealed class ModelLocator
{
    private readonly string? _modelsPath;
    private readonly string _huggingFaceHubCache;
    private readonly string _embeddedCache;

    /// <summary>Initializes a new instance of the <see cref="ModelLocator"/> class.</summary>
    /// <param name="modelsPath">The models root (a mounted store), or <see langword="null"/>.</param>
    /// <param name="huggingFaceHubCache">The HuggingFace hub cache, or <see langword="null"/> for the one the environment names.</param>
    /// <param name="embeddedCache">Where embedded models are unpacked, or <see langword="null"/> for a folder under the system temp path.</param>
    public ModelLocator(string? modelsPath, string? huggingFaceHubCache = null, string? embeddedCache = null)
    {
        _modelsPath = modelsPath;
        _huggingFaceHubCache = huggingFaceHubCache ?? DefaultHuggingFaceHubCache();
        _embeddedCache = embeddedCache ?? Path.Combine(Path.GetTempPath(), "SentenceEmbeddings", "embedded");
    }

    /// <summary>Gets the HuggingFace hub cache folder as huggingface_hub finds it: <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>~/.cache/huggingface/hub</c>.</summary>
    public static string DefaultHuggingFaceHubCache()
    {
        string? hubCache = Environment.GetEnvironmentVariable("HF_HUB_CACHE");
        if (!string.IsNullOrWhiteSpace(hubCache))
        {
            return hubCache;
        }

        string? home = Environment.GetEnvironmentVariable("HF_HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = string.IsNullOrWhiteSpace(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
            home = Path.Combine(cache, "huggingface");
        }

        return Path.Combine(home, "hub");
    }

    /// <summary>Finds the model folder of a tier.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>The folder that holds the tier's model.</returns>
    /// <exception cref="ModelNotFoundException">No searched place holds the model; the message lists them all.</exception>
    public string Locate(EmbeddingTier tier)
    {
        var searched = new List<string>();
        foreach (string candidate in Candidates(tier))
        {
            if (HoldsModel(candidate, tier.OnnxFile))
            {
                return candidate;
            }

            searched.Add(candidate);
        }

        string? embedded = EmbeddedModels.TryUnpack(tier.ModelId, _embeddedCache);
        if (embedded is not null && HoldsModel(embedded, tier.OnnxFile))
        {
            return embedded;
        }

        searched.Add(EmbeddedModels.Describe(tier.ModelId));
        throw new ModelNotFoundException(tier.ModelId, searched);
    }

    private IEnumerable<string> Candidates(EmbeddingTier tier)
    {
        if (!string.IsNullOrWhiteSpace(tier.Path))
        {
            yield return Path.GetFullPath(tier.Path);
        }

        string[] parts = tier.ModelId.Split('/', 2);
        string name = parts[^1];
        if (!string.IsNullOrWhiteSpace(_modelsPath))
        {
            string root = Path.GetFullPath(_modelsPath);
            if (parts.Length == 2)
            {
                yield return Path.Combine(root, parts[0], name);
            }

            yield return Path.Combine(root, name);
        }

        string repository = Path.Combine(_huggingFaceHubCache, "models--" + tier.ModelId.Replace("/", "--", StringComparison.Ordinal));
        yield return SnapshotFolder(repository);
    }

    /// <summary>Gets the snapshot that <c>refs/main</c> points at, else the only snapshot, else the expected place.</summary>
    private static string SnapshotFolder(string repository)
    {
        string snapshots = Path.Combine(repository, "snapshots");
        string reference = Path.Combine(repository, "refs", "main");
        if (File.Exists(reference))
        {
            string commit = File.ReadAllText(reference).Trim();
            if (commit.Length > 0 && commit.IndexOfAny(Path.GetInvalidFileNameChars()) < 0)
            {
                return Path.Combine(snapshots, commit);
            }
        }

        if (Directory.Exists(snapshots))
        {
            string[] all = Directory.GetDirectories(snapshots);
            if (all.Length == 1)
            {
                return all[0];
            }
        }

        return Path.Combine(snapshots, "<refs/main>");
    }

    private static bool HoldsModel(string folder, string? onnxFile) =>
        Directory.Exists(folder) &&
        (onnxFile is not null
            ? File.Exists(Path.Combine(folder, onnxFile))
            : File.Exists(Path.Combine(folder, "model.onnx")) || File.Exists(Path.Combine(folder, "onnx", "model.onnx")));
}
