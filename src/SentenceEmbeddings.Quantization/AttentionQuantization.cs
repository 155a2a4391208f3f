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
    /// Batches without padding run int8 Q/K/V products into com.microsoft <c>MultiHeadAttention</c>, whose CPU kernel uses flash
    /// attention; padded batches run the <see cref="QAttention"/> graph. One file holds both behind an <c>If</c> on the attention mask.
    /// </summary>
    Flash,
}
