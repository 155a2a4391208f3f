namespace SentenceEmbeddings.Indexing;

/// <summary>The argument checks the two index types share.</summary>
internal static class SearchArguments
{
    /// <summary>Checks <paramref name="top"/> and the options; returns the options to use.</summary>
    public static VectorSearchOptions Check(int top, VectorSearchOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new VectorSearchOptions();
        if (options.RescoreMultiplier < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RescoreMultiplier, "RescoreMultiplier must be 0 (no rescoring) or positive (4 rescores 4 x top candidates).");
        }

        return options;
    }

    /// <summary>Checks the queries and writes them, unit length, one after another.</summary>
    public static float[] NormalizeAll(IndexEngine engine, IReadOnlyList<ReadOnlyMemory<float>> queries)
    {
        int dimensions = engine.Dimensions;
        float[] units = new float[queries.Count * dimensions];
        for (int q = 0; q < queries.Count; q++)
        {
            engine.Normalize(queries[q].Span, units.AsSpan(q * dimensions, dimensions), $"queries[{q}]");
        }

        return units;
    }
}
