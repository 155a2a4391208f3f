using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>Many single-call iterations, reported as median and 99th percentile.</summary>
public sealed class LatencyConfig : ManualConfig
{
    public LatencyConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(30).WithInvocationCount(64).WithUnrollFactor(1));
        AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99));
    }
}
