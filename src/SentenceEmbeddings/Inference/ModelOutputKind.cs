namespace SentenceEmbeddings.Inference;

/// <summary>What the ONNX model's chosen output holds.</summary>
internal enum ModelOutputKind
{
    /// <summary>One vector per token, <c>[batch, sequence, hidden]</c>, to be pooled.</summary>
    TokenEmbeddings,

    /// <summary>One already pooled vector per text, <c>[batch, hidden]</c>.</summary>
    SentenceEmbedding,
}
