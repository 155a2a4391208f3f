namespace SentenceEmbeddings.Pooling;

/// <summary>The pooling strategies of a sentence-transformers Pooling module; several may be on, and their vectors are concatenated in this order.</summary>
[Flags]
internal enum PoolingModes
{
    /// <summary>No pooling configured.</summary>
    None = 0,

    /// <summary>The first token's vector ([CLS]).</summary>
    Cls = 1,

    /// <summary>The element-wise maximum over the attended tokens.</summary>
    Max = 2,

    /// <summary>The mean over the attended tokens.</summary>
    Mean = 4,

    /// <summary>The sum over the attended tokens divided by the square root of their count.</summary>
    MeanSqrtLength = 8,

    /// <summary>The mean weighted by position (1, 2, 3, …) over the attended tokens.</summary>
    WeightedMean = 16,

    /// <summary>The last attended token's vector.</summary>
    LastToken = 32,
}
