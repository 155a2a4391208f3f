namespace SentenceEmbeddings.Benchmarks;

/// <summary>The benchmark corpora and model folders, as copied next to the benchmark program.</summary>
public static class Corpus
{
    /// <summary>The environment variable that <c>--quick</c> sets for the benchmark processes: every tenth text only.</summary>
    public const string QuickVariable = "SENTENCE_EMBEDDINGS_BENCH_QUICK";

    public static string MiniLM { get; } = Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2");

    /// <summary>Gets a folder with only the test Unigram tokenizer.json (XLM-R layout, 4,002 pieces).</summary>
    public static string Unigram { get; } = Path.Combine(AppContext.BaseDirectory, "models", "unigram-4k");

    public static bool IsQuick => Environment.GetEnvironmentVariable(QuickVariable) == "1";

    public static string[] Load(string name)
    {
        string[] texts = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", name + ".txt"));

        // A tenth of each corpus, spread over it, keeps the quick run's ratios while it finishes in minutes.
        return IsQuick ? [.. texts.Where((_, index) => index % 10 == 0)] : texts;
    }
}
