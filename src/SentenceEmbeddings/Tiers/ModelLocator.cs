using SentenceEmbeddings.ModelFolders;

namespace SentenceEmbeddings.Tiers;

/// <summary>Finds a tier's model folder: an explicit folder, then the models root, then the HuggingFace cache, then models embedded in an assembly.</summary>
/// <remarks>A folder counts when it holds the ONNX file the tier would run (<see cref="OnnxFileSelector"/>): with
/// <see cref="OnnxVariant.Auto"/>, a folder holding only the int8 variant for this CPU counts too.</remarks>
internal sealed class ModelLocator
{
    private readonly string? _modelsPath;
    private readonly string _huggingFaceHubCache;
    private readonly string _embeddedCache;
    private readonly CpuFeatures _cpu;

    /// <summary>Initializes a new instance of the <see cref="ModelLocator"/> class.</summary>
    /// <param name="modelsPath">The models root (a mounted store), or <see langword="null"/>.</param>
    /// <param name="huggingFaceHubCache">The HuggingFace hub cache.</param>
    /// <param name="embeddedCache">Where embedded models are unpacked, or <see langword="null"/> for a folder under the system temp path.</param>
    /// <param name="cpu">The CPU the int8 variants are chosen for, or <see langword="null"/> for this machine's.</param>
    public ModelLocator(string? modelsPath, string huggingFaceHubCache, string? embeddedCache = null, CpuFeatures? cpu = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(huggingFaceHubCache);
        _modelsPath = modelsPath;
        _huggingFaceHubCache = huggingFaceHubCache;
        _embeddedCache = embeddedCache ?? Path.Combine(Path.GetTempPath(), "SentenceEmbeddings", "embedded");
        _cpu = cpu ?? CpuFeatures.Current;
    }

    /// <summary>Gets the CPU the int8 variants are chosen for.</summary>
    public CpuFeatures Cpu => _cpu;

    /// <summary>Finds the model folder of a tier and the ONNX file in it that runs, for fp32 on the CPU.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>The folder that holds the tier's model.</returns>
    /// <exception cref="ModelNotFoundException">No searched place holds the model; the message lists them all.</exception>
    public string Locate(EmbeddingTier tier) => Locate(tier, tier.OnnxVariant ?? OnnxVariant.Fp32, useCuda: false).Folder;

    /// <summary>Finds the model folder of a tier and the ONNX file in it that runs.</summary>
    /// <param name="tier">The tier; its <see cref="EmbeddingTier.OnnxFile"/>, when set, wins over <paramref name="variant"/>.</param>
    /// <param name="variant">Which file runs when the tier names none.</param>
    /// <param name="useCuda">Whether the model runs on CUDA, where int8 variants are never chosen.</param>
    /// <returns>The folder and the file.</returns>
    /// <exception cref="ModelNotFoundException">No searched place holds the model; the message lists them all.</exception>
    public ModelLocation Locate(EmbeddingTier tier, OnnxVariant variant, bool useCuda)
    {
        var searched = new List<string>();
        foreach (string candidate in Candidates(tier))
        {
            if (OnnxFileIn(candidate, tier.OnnxFile, variant, useCuda) is { } file)
            {
                return new ModelLocation(candidate, file);
            }

            searched.Add(candidate);
        }

        string? embedded = EmbeddedModels.TryUnpack(tier.ModelId, _embeddedCache);
        if (embedded is not null && OnnxFileIn(embedded, tier.OnnxFile, variant, useCuda) is { } embeddedFile)
        {
            return new ModelLocation(embedded, embeddedFile);
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

        // refs/main, else the only snapshot (a cache copied without refs/), else the expected place for the message.
        string repository = HubCacheLayout.RepositoryFolder(_huggingFaceHubCache, tier.ModelId);
        yield return HubCacheLayout.ResolveSnapshot(repository, HubCacheLayout.DefaultRevision)
            ?? HubCacheLayout.OnlySnapshot(repository)
            ?? HubCacheLayout.SnapshotFolder(repository, $"<refs/{HubCacheLayout.DefaultRevision}>");
    }

    private string? OnnxFileIn(string folder, string? onnxFile, OnnxVariant variant, bool useCuda) =>
        !Directory.Exists(folder) ? null
        : onnxFile is not null ? (File.Exists(Path.Combine(folder, onnxFile)) ? onnxFile.Replace('\\', '/') : null)
        : OnnxFileSelector.SelectIn(folder, variant, _cpu, useCuda);
}
