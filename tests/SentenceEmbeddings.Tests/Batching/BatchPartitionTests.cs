using SentenceEmbeddings.Batching;

namespace SentenceEmbeddings.Tests.Batching;

public sealed class BatchPartitionTests
{
    [Fact]
    public void Split_MixedLengths_CutsWherePaddingCostsMoreThanARun()
    {
        int[] ends = new int[4];

        int batches = BatchPartition.Split([31, 14, 12, 9], maxBatchTokens: 4096, maxBatchSize: 64, ends);

        // [31] + [14, 12, 9] = 31 + 42 tokens and two runs, against 124 tokens and one run.
        Assert.Equal([1, 4], ends[..batches]);
    }

    [Fact]
    public void Split_SimilarLengths_StayInOneBatch()
    {
        int[] ends = new int[5];

        int batches = BatchPartition.Split([14, 13, 13, 12, 11], maxBatchTokens: 4096, maxBatchSize: 64, ends);

        Assert.Equal([5], ends[..batches]);
    }

    [Fact]
    public void Split_KeepsTheTokenBudgetAndBatchSize_AndGivesAnOverlongTextItsOwnBatch()
    {
        int[] lengths = [600, 100, 100, 100, 50, 50, 50, 50, 50];
        int[] ends = new int[lengths.Length];

        int batches = BatchPartition.Split(lengths, maxBatchTokens: 200, maxBatchSize: 3, ends);

        Assert.Equal([1, 3, 4, 7, 9], ends[..batches]);
        int start = 0;
        foreach (int end in ends[..batches])
        {
            Assert.True(end - start <= 3);
            Assert.True(end - start == 1 || (end - start) * lengths[start] <= 200);
            start = end;
        }
    }

    [Fact]
    public void Split_NoTexts_NoBatches()
    {
        Assert.Equal(0, BatchPartition.Split([], 4096, 64, []));
    }
}
