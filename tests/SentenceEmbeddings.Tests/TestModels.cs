namespace SentenceEmbeddings.Tests;

/// <summary>The real model folders that the build extracts from the NuGet model packages (build/NuGetModels.targets).</summary>
internal static class TestModels
{
    public static string MiniLM { get; } = Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2");

    public static string Arctic { get; } = Path.Combine(AppContext.BaseDirectory, "models", "snowflake-arctic-embed-xs");

    public static string Assets { get; } = Path.Combine(AppContext.BaseDirectory, "assets");

    /// <summary>Copies a model folder (configs only, the ONNX file linked by copy) into a fresh temp folder that a test may change.</summary>
    public static TempDirectory CopyOf(string modelDirectory, bool includeOnnx = true)
    {
        var temp = new TempDirectory();
        foreach (string file in Directory.EnumerateFiles(modelDirectory, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(modelDirectory, file);
            if (!includeOnnx && relative.EndsWith(".onnx", StringComparison.Ordinal))
            {
                continue;
            }

            string destination = Path.Combine(temp.Path, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return temp;
    }
}
