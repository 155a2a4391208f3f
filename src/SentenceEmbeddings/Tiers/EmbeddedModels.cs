using System.Reflection;

namespace SentenceEmbeddings.Tiers;

/// <summary>Finds model folders that an assembly carries as embedded resources and unpacks them once into a cache folder.</summary>
/// <remarks>
/// A model is embedded with resources named <c>SentenceEmbeddings.Models/{modelId}/{path in the folder}</c>, for example
/// <c>SentenceEmbeddings.Models/sentence-transformers/all-MiniLM-L6-v2/onnx/model.onnx</c>:
/// <code>&lt;EmbeddedResource Include="models/all-MiniLM-L6-v2/**/*" LogicalName="SentenceEmbeddings.Models/sentence-transformers/all-MiniLM-L6-v2/%(RecursiveDir)%(Filename)%(Extension)" /&gt;</code>
/// </remarks>
internal static class EmbeddedModels
{
    /// <summary>The prefix of the resource names of an embedded model.</summary>
    public const string ResourcePrefix = "SentenceEmbeddings.Models/";

    /// <summary>Gets where an embedded model would be looked for, for the not-found message.</summary>
    public static string Describe(string modelId) => $"embedded resources '{ResourcePrefix}{modelId}/…' in the loaded assemblies";

    /// <summary>Unpacks the embedded model, if a loaded assembly has it, and returns its folder.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="cacheRoot">Where unpacked models are kept.</param>
    /// <returns>The unpacked folder, or <see langword="null"/> when no loaded assembly embeds the model.</returns>
    public static string? TryUnpack(string modelId, string cacheRoot)
    {
        string prefix = ResourcePrefix + modelId + "/";
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic)
            {
                continue;
            }

            // Windows builds write RecursiveDir with backslashes; accept both.
            string[] names = [.. assembly.GetManifestResourceNames().Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal))];
            if (names.Length == 0)
            {
                continue;
            }

            string folder = Path.Combine(cacheRoot, $"{assembly.GetName().Name}-{assembly.ManifestModule.ModuleVersionId:N}", modelId.Replace("/", "--", StringComparison.Ordinal));
            if (!Directory.Exists(folder))
            {
                Unpack(assembly, names, prefix, folder);
            }

            return folder;
        }

        return null;
    }

    private static void Unpack(Assembly assembly, string[] names, string prefix, string folder)
    {
        // Unpack into a fresh folder and rename it into place, so a reader never sees half a model.
        string staging = folder + ".tmp-" + Guid.NewGuid().ToString("N");
        foreach (string name in names)
        {
            string relative = name.Replace('\\', '/')[prefix.Length..];
            string target = Path.GetFullPath(Path.Combine(staging, relative));
            if (!target.StartsWith(Path.GetFullPath(staging), StringComparison.Ordinal))
            {
                throw new InvalidModelFileException(name, $"The embedded resource '{name}' in {assembly.GetName().Name} points outside its model folder.", null);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using Stream source = assembly.GetManifestResourceStream(name)!;
            using FileStream destination = File.Create(target);
            source.CopyTo(destination);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another process unpacked the same model first; theirs is as good as ours.
            Directory.Delete(staging, recursive: true);
        }
    }
}
