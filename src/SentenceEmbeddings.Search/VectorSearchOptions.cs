namespace SentenceEmbeddings;

/// <summary>Options of one search of a <see cref="VectorIndex"/> or <see cref="ChunkIndex"/>.</summary>
public sealed class VectorSearchOptions
{
    /// <summary>Gets or sets a filter on keys: only keys it accepts are returned.</summary>
    /// <value>The filter, called only for keys whose score could enter the results. The default is <see langword="null"/> (every key).</value>
    public Func<string, bool>? Filter { get; set; }

    /// <summary>Gets or sets how many candidates per result an int8 or binary index takes from its compact vectors to rescore with the float vectors.</summary>
    /// <value>The multiplier: <c>top × RescoreMultiplier</c> candidates get exact cosine scores; 0 returns the compact vectors' approximate scores.
    /// Ignored for <see cref="VectorEncoding.Float32"/>. The default is 4, as sentence-transformers' <c>semantic_search</c>.</value>
    public int RescoreMultiplier { get; set; } = 4;
}
