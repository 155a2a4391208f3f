// Memory soak: embeds many texts of varied lengths from concurrent callers, samples the working set and the managed heap,
// and exits with 1 when either grew by more than 5 % after the warm-up. Usage (docs/reliability.md has the figures):
//   dotnet run -c Release --project tests/SentenceEmbeddings.Soak -- [texts=200000] [callers=4] [sample-seconds=10]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using SentenceEmbeddings;

int total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
int callers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
TimeSpan samplePeriod = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10);
const double WarmUpFraction = 0.1;
const double AllowedGrowth = 0.05;

string[] corpusFiles = ["short.txt", "long.txt", "zh.txt"];
string[] corpus = [.. corpusFiles.SelectMany(f => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "corpus", f)))];
using var generator = new SentenceEmbeddingGenerator(Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2"));

// Varied lengths, mostly short as in a matching service: the text cut to 16, 64, 256 or 1,000 characters (3 to about 250 tokens).
// Merged calls pad to their longest text, so a few long texts set the pace of everyone's batches.
string TextAt(int i)
{
    string line = corpus[(int)((i * 2_654_435_761L) % corpus.Length)];
    int bucket = (int)((i * 40_503L) % 100);
    int length = bucket < 50 ? 16 : bucket < 80 ? 64 : bucket < 98 ? 256 : 1_000;
    return line[..Math.Min(line.Length, length)];
}

int next = 0;
long embedded = 0;
var stopwatch = Stopwatch.StartNew();
var samples = new List<(double Seconds, long Texts, long WorkingSet, long ManagedHeap, long GcHeap)>();
using var process = Process.GetCurrentProcess();

async Task CallerAsync(int seed)
{
    var random = new Random(seed);
    while (true)
    {
        int size = random.Next(1, 17);
        int start = Interlocked.Add(ref next, size) - size;
        if (start >= total)
        {
            return;
        }

        string[] texts = [.. Enumerable.Range(start, Math.Min(size, total - start)).Select(TextAt)];
        GeneratedEmbeddings<Embedding<float>> e = await generator.GenerateAsync(texts).ConfigureAwait(false);
        if (e.Count != texts.Length || !float.IsFinite(e[0].Vector.Span[0]))
        {
            throw new InvalidOperationException("wrong result");
        }

        Interlocked.Add(ref embedded, texts.Length);
    }
}

Task work = Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(() => CallerAsync(i))));
Console.WriteLine($"soak: {total:N0} texts, {callers} callers, a sample every {samplePeriod.TotalSeconds:F0} s after {WarmUpFraction:P0} warm-up");
Console.WriteLine("| elapsed s | texts | texts/s | working set MB | managed heap MB (live) | GC heap MB |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
while (!work.IsCompleted)
{
    await Task.WhenAny(work, Task.Delay(samplePeriod)).ConfigureAwait(false);
    long done = Interlocked.Read(ref embedded);
    if (done < total * WarmUpFraction && !work.IsCompleted)
    {
        continue;
    }

    // A full collection first, so the managed figure is what is alive, not garbage not yet collected.
    long managed = GC.GetTotalMemory(forceFullCollection: true);
    process.Refresh();
    (double Seconds, long Texts, long WorkingSet, long ManagedHeap, long GcHeap) sample =
        (stopwatch.Elapsed.TotalSeconds, done, process.WorkingSet64, managed, GC.GetGCMemoryInfo().HeapSizeBytes);
    samples.Add(sample);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {sample.Seconds:F0} | {done:N0} | {done / sample.Seconds:F0} | {sample.WorkingSet / 1e6:F1} | {sample.ManagedHeap / 1e6:F2} | {sample.GcHeap / 1e6:F2} |"));
}

await work.ConfigureAwait(false);
if (samples.Count < 4)
{
    Console.WriteLine("too few samples to judge growth; run more texts or sample more often");
    return 2;
}

// The median of the first three samples after warm-up against the median of the last three: one noisy sample decides nothing.
static double Median3(IEnumerable<long> values) => values.Order().ElementAt(1);
double workingSetGrowth = (Median3(samples.TakeLast(3).Select(s => s.WorkingSet)) / Median3(samples.Take(3).Select(s => s.WorkingSet))) - 1;
double managedGrowth = (Median3(samples.TakeLast(3).Select(s => s.ManagedHeap)) / Median3(samples.Take(3).Select(s => s.ManagedHeap))) - 1;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{total:N0} texts in {stopwatch.Elapsed.TotalSeconds:F0} s ({total / stopwatch.Elapsed.TotalSeconds:F0} texts/s); growth after warm-up: working set {workingSetGrowth:+0.0%;-0.0%}, managed heap {managedGrowth:+0.0%;-0.0%} (allowed {AllowedGrowth:P0})"));
return workingSetGrowth > AllowedGrowth || managedGrowth > AllowedGrowth ? 1 : 0;
