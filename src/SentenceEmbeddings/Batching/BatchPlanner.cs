namespace SentenceEmbeddings.Batching;

/// <summary>Sorts texts by token count and cuts them into batches whose padded size stays within a token budget.</summary>
/// <remarks>Sorting keeps padding small; a text's vector does not depend on its batch mates because padding is masked.</remarks>
internal static class BatchPlanner
{
    /// <summary>Plans the batches for texts of the given token counts.</summary>
    /// <param name="lengths">The token count of each text, special tokens included.</param>
    /// <param name="maxBatchTokens">The most padded tokens (batch size × padded length) in one batch; a single longer text still gets its own batch.</param>
    /// <param name="maxBatchSize">The most texts in one batch.</param>
    /// <param name="order">Receives the text indices, longest first (ties in input order).</param>
    /// <returns>The batches, as runs of <paramref name="order"/>.</returns>
    public static List<Batch> Plan(ReadOnlySpan<int> lengths, int maxBatchTokens, int maxBatchSize, Span<int> order)
    {
        // One sortable key per text: longer first, then input order (the sort itself is not stable).
        long[] keys = new long[lengths.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = ((long)(int.MaxValue - lengths[i]) << 32) | (uint)i;
        }

        Array.Sort(keys);
        for (int i = 0; i < keys.Length; i++)
        {
            order[i] = (int)(keys[i] & uint.MaxValue);
        }

        var batches = new List<Batch>();
        int start = 0;
        while (start < order.Length)
        {
            int sequenceLength = lengths[order[start]];
            int limit = Math.Max(1, Math.Min(maxBatchSize, maxBatchTokens / Math.Max(sequenceLength, 1)));
            int count = Math.Min(limit, order.Length - start);
            batches.Add(new Batch(start, count, sequenceLength));
            start += count;
        }

        return batches;
    }
}
