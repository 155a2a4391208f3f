namespace SentenceEmbeddings;

/// <summary>Options of a <see cref="VectorIndex"/> or <see cref="ChunkIndex"/>.</summary>
public sealed class VectorIndexOptions
{
    /// <summary>Gets or sets how the index keeps the vectors it scans.</summary>
    /// <value>The encoding. The default is <see cref="VectorEncoding.Float32"/>.</value>
    public VectorEncoding Encoding { get; set; } = VectorEncoding.Float32;

    /// <summary>Gets or sets how many threads one search may use on a large index.</summary>
    /// <value>The thread limit, or -1 for one per processor. The default is -1.</value>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
