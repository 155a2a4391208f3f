using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using SentenceEmbeddings;
using SentenceEmbeddings.Benchmarks;

// `peak-memory [corpus]`: this process loads the fast model, embeds the corpus (default long) in one call and prints its peak working set.
if (args.Length > 0 && args[0] == "peak-memory")
{
    return await PeakMemory.RunAsync(args.Length > 1 ? args[1] : "long");
}

// `int8-paired [N]`: fp32 and int8 whole-corpus calls alternated N times (default 7), outside BenchmarkDotNet (Int8PairedRun).
if (args.Length > 0 && args[0] == "int8-paired")
{
    await Int8PairedRun.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7).ConfigureAwait(false);
    return 0;
}

// `latency-paired [rounds] [calls] [spinning]`: one-sentence calls through DI beside raw session.Run, fp32 and int8, alternated in blocks (LatencyPairedRun).
if (args.Length > 0 && args[0] == "latency-paired")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    await LatencyPairedRun.RunAsync(Arg(1, 20), Arg(2, 100), args.Length > 3 ? Enum.Parse<ThreadSpinning>(args[3]) : ThreadSpinning.DuringRuns).ConfigureAwait(false);
    return 0;
}

// `search-recall`: recall@10 of the int8 and binary indexes against exact float search on real embeddings (Search/SearchRecall).
if (args.Length > 0 && args[0] == "search-recall")
{
    await SentenceEmbeddings.Benchmarks.Search.SearchRecall.RunAsync().ConfigureAwait(false);
    return 0;
}

// `search-paired [size] [rounds] [threads]`: the search methods alternated in one process (Search/SearchPairedRun).
if (args.Length > 0 && args[0] == "search-paired")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    SentenceEmbeddings.Benchmarks.Search.SearchPairedRun.Run(Arg(1, 1_000_000), Arg(2, 15), Arg(3, -1));
    return 0;
}

// `long-text-paired [N]`: Truncate and Chunk mode over the long documents alternated N times (default 5), tokens/s and peak working set.
if (args.Length > 0 && args[0] == "long-text-paired")
{
    return await LongTextBenchmarks.PairedRunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5).ConfigureAwait(false);
}

// `long-text-fairness [chunks]`: one-sentence calls p50/p99 while a 1 MB document runs in chunk mode (its first N windows, default 400), beside the same calls alone.
if (args.Length > 0 && args[0] == "long-text-fairness")
{
    return await LongTextBenchmarks.FairnessAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400).ConfigureAwait(false);
}

// `long-text-10mb`: one 10 MB text in chunk mode (stops at the cap), its time, allocations and the peak working set.
if (args.Length > 0 && args[0] == "long-text-10mb")
{
    return await LongTextBenchmarks.HugeTextAsync().ConfigureAwait(false);
}

// The default job for every class that names none: one process, one warm-up, five measured iterations (whole-corpus
// operations take seconds each on a 2-core machine). --quick: one measured iteration over a tenth of each corpus, so that
// everything, the peers included, runs in about three minutes.

bool quick = args.Contains("--quick");
string[] rest = [.. args.Where(a => a != "--quick")];
Job job = Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(quick ? 1 : 5);
if (quick)
{
    job = job.WithEnvironmentVariable(Corpus.QuickVariable, "1");
}

IConfig config = DefaultConfig.Instance.AddJob(job.AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(Corpus).Assembly).Run(rest, config);
return 0;
