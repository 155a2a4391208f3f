using SentenceEmbeddings.Batching;

namespace SentenceEmbeddings.Tests.Batching;

public sealed class BatchPlannerTests
{
    [Fact]
    public void Plan_SortsLongestFirstWithTiesInInputOrder()
    {
        int[] lengths = [5, 9, 5, 2, 9];
        int[] order = new int[lengths.Length];

        BatchPlanner.Plan(lengths, maxBatchTokens: 1000, maxBatchSize: 10, order);

        Assert.Equal([1, 4, 0, 2, 3], order);
    }

    [Fact]
    public void Plan_KeepsPaddedTokensWithinBudget()
    {
        int[] lengths = [100, 10, 10, 10, 10, 10, 100, 50];
        int[] order = new int[lengths.Length];

        List<Batch> batches = BatchPlanner.Plan(lengths, maxBatchTokens: 200, maxBatchSize: 64, order);

        Assert.Equal([new Batch(0, 2, 100), new Batch(2, 4, 50), new Batch(6, 2, 10)], batches);
        Assert.All(batches, b => Assert.True(b.Count * b.SequenceLength <= 200));
    }

    [Fact]
    public void Plan_TextLongerThanBudget_GetsItsOwnBatch()
    {
        int[] lengths = [512, 512, 3];
        int[] order = new int[lengths.Length];

        List<Batch> batches = BatchPlanner.Plan(lengths, maxBatchTokens: 100, maxBatchSize: 64, order);

        Assert.Equal([new Batch(0, 1, 512), new Batch(1, 1, 512), new Batch(2, 1, 3)], batches);
    }

    [Fact]
    public void Plan_RespectsMaxBatchSize()
    {
        int[] lengths = [.. Enumerable.Repeat(4, 10)];
        int[] order = new int[lengths.Length];

        List<Batch> batches = BatchPlanner.Plan(lengths, maxBatchTokens: 10_000, maxBatchSize: 4, order);

        Assert.Equal([4, 4, 2], batches.Select(b => b.Count));
    }
}
