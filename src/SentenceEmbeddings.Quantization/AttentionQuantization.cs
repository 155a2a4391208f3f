namespace SentenceEmbeddings;

/// <summary>How <see cref="OnnxQuantizer"/> treats a model's self-attention blocks.</summary>
public enum AttentionQuantization
{
    /// <summary>Each block becomes one com.microsoft <c>QAttention</c> node: int8 Q/K/V weights, one uint8 quantization of its input, attention products and softmax fused in fp32.</summary>
    QAttention,

    /// <summary>Each block becomes one com.microsoft <c>Attention</c> node with fp32 weights; only the other matrix products are int8.</summary>
    FusedFp32,

    /// <summary>The blocks stay as exported and only the Q/K/V and other constant-weight products become int8 (the rewrite of the first release; ONNX Runtime then cannot fuse attention).</summary>
    Unfused,

    /// <summary>
    /// Each block's Q/K/V become int8 products feeding com.microsoft <c>MultiHeadAttention</c>: without the mask for batches
    /// without padding (its CPU kernel then runs flash attention), with it otherwise (the kernel <see cref="QAttention"/> uses),
    /// behind one <c>If</c> per block on the attention mask.
    /// </summary>
    Flash,
}
