namespace SentenceEmbeddings;

/// <summary>How ONNX Runtime's CUDA memory arena grows (its <c>arena_extend_strategy</c> option).</summary>
public enum CudaArenaExtendStrategy
{
    /// <summary>Grows in powers of two (<c>kNextPowerOfTwo</c>, ONNX Runtime's default): fewer allocations, more memory held.</summary>
    NextPowerOfTwo,

    /// <summary>Grows by exactly what is asked (<c>kSameAsRequested</c>): less memory held, for a GPU shared with other work.</summary>
    SameAsRequested,
}
