using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// The default job for every class that names none: one process, one warm-up, five measured iterations (whole-corpus
// operations take seconds each on a 2-core machine). --quick: one measured iteration, to see everything run in minutes.
// int8-paired [N]: fp32 and int8 whole-corpus calls alternated N times (default 7), outside BenchmarkDotNet (Int8PairedRun).
if (args.Length > 0 && args[0] == "int8-paired")
{
    await SentenceEmbeddings.Benchmarks.Int8PairedRun.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7).ConfigureAwait(false);
    return;
}

bool quick = args.Contains("--quick");
string[] rest = [.. args.Where(a => a != "--quick")];
Job job = Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(quick ? 1 : 5);
IConfig config = DefaultConfig.Instance.AddJob(job.AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(SentenceEmbeddings.Benchmarks.Corpus).Assembly).Run(rest, config);
