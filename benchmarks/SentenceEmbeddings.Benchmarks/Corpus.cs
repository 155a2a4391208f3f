namespace SentenceEmbeddings.Benchmarks;

/// <summary>The benchmark corpora and model folders, as copied next to the benchmark program.</summary>
public static class Corpus
{
    public static string MiniLM { get; } = Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2");

    public static string[] Load(string name) => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", name + ".txt"));
}
