using System.Numerics.Tensors;

namespace SentenceEmbeddings.Tests.Search;

/// <summary>8 readers and 1 writer on one index: no exception, and every result is one some state of the index gives.</summary>
public sealed class IndexConcurrencyTests
{
    private const int Dimensions = 48;
    private const int Anchors = 1_500;
    private const int Churned = 1_500;

    [Fact]
    public Task ReadersAndWriter_OneSecond_EveryResultConsistent() => RunAsync(TimeSpan.FromSeconds(1));

    [Fact]
    [Trait("Category", "Long")]
    public Task ReadersAndWriter_TenSeconds_EveryResultConsistent() => RunAsync(TimeSpan.FromSeconds(10));

    private static async Task RunAsync(TimeSpan duration)
    {
        // Anchors never change. Each churned key is absent or holds one of two vectors, A or B; the writer switches them.
        float[][] anchors = [.. RandomVectors.Create(Anchors, Dimensions, seed: 41).Select(RandomVectors.Unit)];
        float[][] a = [.. RandomVectors.Create(Churned, Dimensions, seed: 42).Select(RandomVectors.Unit)];
        float[][] b = [.. RandomVectors.Create(Churned, Dimensions, seed: 43).Select(RandomVectors.Unit)];
        using var index = new VectorIndex(Dimensions);
        for (int i = 0; i < Anchors; i++)
        {
            index.Add("anchor" + i, anchors[i]);
        }

        using var stop = new CancellationTokenSource(duration);
        long writes = 0;
        long searches = 0;
        // Dedicated threads: eight busy pool tasks on two cores would keep the writer's task queued behind them
        // (the pool adds threads about once a second), which tests the thread pool, not the index's lock.
        Task writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(44);
            while (!stop.IsCancellationRequested)
            {
                int i = random.Next(Churned);
                switch (random.Next(3))
                {
                    case 0: index.Add("churn" + i, a[i]); break;
                    case 1: index.Add("churn" + i, b[i]); break;
                    default: index.Remove("churn" + i); break;
                }

                writes++;
            }
        }, TaskCreationOptions.LongRunning);
        Task[] readers = [.. Enumerable.Range(0, 8).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                int anchor = random.Next(Anchors);
                IReadOnlyList<VectorMatch> matches = r % 4 == 3
                    ? index.SearchBatch([anchors[anchor], anchors[(anchor + 1) % Anchors]], 10)[0]
                    : index.Search(anchors[anchor], 10);
                Check(matches, anchors[anchor], anchor, anchors, a, b);
                Interlocked.Increment(ref searches);
            }
        }, TaskCreationOptions.LongRunning))];
        await Task.WhenAll([writer, .. readers]);
        Assert.True(writes > 0 && searches > 0, $"{writes} writes, {searches} searches");
    }

    private static void Check(IReadOnlyList<VectorMatch> matches, float[] query, int anchor, float[][] anchors, float[][] a, float[][] b)
    {
        Assert.Equal(10, matches.Count);
        Assert.Equal("anchor" + anchor, matches[0].Key);
        Assert.Equal(matches.Count, matches.Select(m => m.Key).Distinct().Count());
        for (int i = 0; i < matches.Count; i++)
        {
            VectorMatch match = matches[i];
            if (i > 0)
            {
                Assert.True(match.Score <= matches[i - 1].Score);
            }

            float[][] possible = match.Key.StartsWith("anchor", StringComparison.Ordinal)
                ? [anchors[int.Parse(match.Key[6..], System.Globalization.CultureInfo.InvariantCulture)]]
                : [a[int.Parse(match.Key[5..], System.Globalization.CultureInfo.InvariantCulture)], b[int.Parse(match.Key[5..], System.Globalization.CultureInfo.InvariantCulture)]];
            Assert.Contains(possible, v => Math.Abs(TensorPrimitives.Dot(RandomVectors.Unit(query), RandomVectors.Unit(v)) - match.Score) < 1e-5f);
        }
    }
}
