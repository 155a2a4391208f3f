namespace SentenceEmbeddings.Batching;

/// <summary>Splits texts sorted longest first into consecutive batches that pad as little as possible.</summary>
/// <remarks>
/// A batch costs its padded tokens (texts × longest length) plus a fixed cost per model run, so texts of concurrent
/// single-text calls (lengths in arrival order, say 9, 31, 12, 14) are better run as two batches of similar lengths than
/// as one padded to 31. The split is exact: a dynamic programme over the cut points, at most <c>maxBatchSize</c>² steps.
/// </remarks>
internal static class BatchPartition
{
    /// <summary>The cost of one extra model run, in padded tokens: ONNX Runtime's fixed cost per run and the lower efficiency of small matrices.</summary>
    internal const int RunCostInTokens = 16;

    /// <summary>Writes the end index (exclusive) of each batch into <paramref name="ends"/> and returns how many batches there are.</summary>
    /// <param name="lengths">The token counts, longest first.</param>
    /// <param name="maxBatchTokens">The most padded tokens in a batch (a single text longer than this gets a batch of its own).</param>
    /// <param name="maxBatchSize">The most texts in a batch.</param>
    /// <param name="ends">Receives the batch ends, in order; as long as <paramref name="lengths"/>.</param>
    /// <returns>The number of batches.</returns>
    public static int Split(ReadOnlySpan<int> lengths, int maxBatchTokens, int maxBatchSize, Span<int> ends)
    {
        int count = lengths.Length;
        if (count == 0)
        {
            return 0;
        }

        // cost[j]: the least cost of running the first j texts; cut[j]: where the last batch of that plan starts.
        long[] cost = new long[count + 1];
        int[] cut = new int[count + 1];
        for (int end = 1; end <= count; end++)
        {
            cost[end] = long.MaxValue;
            for (int start = end - 1; start >= 0; start--)
            {
                int texts = end - start;
                long padded = (long)texts * lengths[start];
                if (texts > 1 && (texts > maxBatchSize || padded > maxBatchTokens))
                {
                    break; // a longer batch only adds texts and length
                }

                long total = cost[start] + padded + RunCostInTokens;
                if (total < cost[end])
                {
                    cost[end] = total;
                    cut[end] = start;
                }
            }
        }

        int batches = 0;
        for (int end = count; end > 0; end = cut[end])
        {
            ends[batches++] = end;
        }

        ends[..batches].Reverse();
        return batches;
    }
}
