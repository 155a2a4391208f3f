namespace SentenceEmbeddings;

/// <summary>One result of a <see cref="VectorIndex"/> search.</summary>
public sealed class VectorMatch
{
    /// <summary>Gets the key the vector was added under.</summary>
    public required string Key { get; init; }

    /// <summary>Gets the cosine similarity to the query (approximate for compact vectors without rescoring).</summary>
    public required float Score { get; init; }
}
