using System.Diagnostics;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>Peak working set of this process after it loads the fast model and embeds a corpus in one call.</summary>
/// <remarks>A process of its own (not a BenchmarkDotNet job): its peak is what a service that does the same would need.</remarks>
public static class PeakMemory
{
    public static async Task<int> RunAsync(string corpusName)
    {
        string[] texts = Corpus.Load(corpusName);
        using var process = Process.GetCurrentProcess();
        long start = process.WorkingSet64;
        using var generator = new SentenceEmbeddingGenerator(Corpus.MiniLM);
        process.Refresh();
        long loaded = process.WorkingSet64;
        var watch = Stopwatch.StartNew();
        int count = (await generator.GenerateAsync(texts)).Count;
        watch.Stop();
        process.Refresh();

        const double MiB = 1024 * 1024;
        Console.WriteLine($"corpus {corpusName}: {count} texts embedded in one call in {watch.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"working set: {start / MiB:F0} MiB at start, {loaded / MiB:F0} MiB with the model loaded, {process.WorkingSet64 / MiB:F0} MiB after");
        Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / MiB:F0} MiB");
        return 0;
    }
}
