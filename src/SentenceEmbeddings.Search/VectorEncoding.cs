using System.Diagnostics.CodeAnalysis;

namespace SentenceEmbeddings;

/// <summary>How an index keeps the vectors it scans; the float vectors are always kept too, for exact rescoring.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names of sentence-transformers' precisions (float32, int8, binary).")]
public enum VectorEncoding
{
    /// <summary>32-bit floats: exact cosine scores (1,536 bytes per 384-dimension vector).</summary>
    Float32 = 0,

    /// <summary>One signed byte per dimension with one scale per vector (388 bytes per 384-dimension vector).</summary>
    Int8 = 1,

    /// <summary>One sign bit per dimension, compared by Hamming distance (48 bytes per 384-dimension vector).</summary>
    Binary = 2,
}
