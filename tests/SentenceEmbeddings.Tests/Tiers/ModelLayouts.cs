namespace SentenceEmbeddings.Tests.Tiers;

/// <summary>Builds model-store layouts in temp folders, linking the real model files rather than copying 90 MB.</summary>
internal static class ModelLayouts
{
    /// <summary>Links every file of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static string LinkModel(string source, string destination)
    {
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.CreateSymbolicLink(target, file);
        }

        return destination;
    }

    /// <summary>Lays a model out as huggingface_hub does: models--org--name/refs/main and snapshots/{commit}.</summary>
    public static string HuggingFaceCache(string hubCache, string modelId, string source, string commit = "0123456789abcdef0123456789abcdef01234567")
    {
        string repository = Path.Combine(hubCache, "models--" + modelId.Replace("/", "--", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(repository, "refs"));
        File.WriteAllText(Path.Combine(repository, "refs", "main"), commit);
        return LinkModel(source, Path.Combine(repository, "snapshots", commit));
    }
}
