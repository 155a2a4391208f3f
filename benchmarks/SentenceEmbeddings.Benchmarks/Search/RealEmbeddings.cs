using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Benchmarks.Search;

/// <summary>Every text of assets/data (the corpora and both sides of the STS files, once each) embedded with all-MiniLM-L6-v2, cached under artifacts/ (minutes to embed on a busy 2-core machine).</summary>
public static class RealEmbeddings
{
    /// <summary>The embedding width of all-MiniLM-L6-v2.</summary>
    public const int Dimensions = 384;

    /// <summary>Loads the cached vectors, embedding the texts first when there is no cache.</summary>
    public static async Task<float[][]> LoadAsync()
    {
        string[] texts = Texts();
        string cache = Path.Combine(RepositoryRoot(), "artifacts", "search-cache", $"all-MiniLM-L6-v2-assets-data-{texts.Length}.f32");
        if (File.Exists(cache))
        {
            byte[] bytes = await File.ReadAllBytesAsync(cache).ConfigureAwait(false);
            float[] all = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            return [.. Enumerable.Range(0, texts.Length).Select(i => all.AsSpan(i * Dimensions, Dimensions).ToArray())];
        }

        Console.WriteLine($"embedding {texts.Length} texts of assets/data with all-MiniLM-L6-v2 (cached in {cache})");
        using var generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(texts).ConfigureAwait(false);
        float[][] vectors = [.. embeddings.Select(e => e.Vector.ToArray())];
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        await File.WriteAllBytesAsync(cache, MemoryMarshal.AsBytes(vectors.SelectMany(v => v).ToArray().AsSpan()).ToArray()).ConfigureAwait(false);
        return vectors;
    }

    /// <summary>The distinct texts, in file order.</summary>
    public static string[] Texts()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "data");
        IEnumerable<string> lines = Directory.GetFiles(Path.Combine(data, "corpus"), "*.txt").Order(StringComparer.Ordinal).SelectMany(File.ReadLines);
        IEnumerable<string> pairs = Directory.GetFiles(data, "*.tsv", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(file => File.ReadLines(file).Skip(1))
            .SelectMany(line => line.Split('\t').Skip(1));
        return [.. lines.Concat(pairs).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    private static string RepositoryRoot()
    {
        for (string? folder = AppContext.BaseDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "SentenceEmbeddings.sln")))
            {
                return folder;
            }
        }

        return AppContext.BaseDirectory;
    }
}
