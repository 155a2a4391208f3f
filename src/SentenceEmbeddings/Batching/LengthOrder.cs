namespace SentenceEmbeddings.Batching;

/// <summary>Orders texts longest first, so that texts of similar length share a batch and padding stays small.</summary>
internal static class LengthOrder
{
    /// <summary>Writes the text indices into <paramref name="order"/>, longest first, ties in input order.</summary>
    /// <param name="lengths">The token count of each text.</param>
    /// <param name="order">Receives the indices; as long as <paramref name="lengths"/>.</param>
    public static void LongestFirst(ReadOnlySpan<int> lengths, Span<int> order)
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
    }
}
