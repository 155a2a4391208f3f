namespace SentenceEmbeddings;

/// <summary>Which of a model folder's ONNX files runs when no file is named explicitly.</summary>
public enum OnnxVariant
{
    /// <summary>The fp32 export (<c>model.onnx</c>, else <c>onnx/model.onnx</c>): the exact vectors of sentence-transformers.</summary>
    Fp32 = 0,

    /// <summary>The best published int8 variant for this CPU (<c>model_qint8_avx512_vnni.onnx</c>, <c>model_qint8_avx512.onnx</c>,
    /// <c>model_quint8_avx2.onnx</c>, <c>model_qint8_arm64.onnx</c>) when the folder has one, else fp32; never int8 on CUDA.</summary>
    /// <remarks>int8 runs 2–3 times faster on a CPU, with embeddings about 0.99 cosine to fp32 rather than equal.</remarks>
    Auto = 1,
}
