namespace SentenceEmbeddings;

/// <summary>How ONNX Runtime's CUDA provider picks cuDNN convolution algorithms (its <c>cudnn_conv_algo_search</c> option).</summary>
/// <remarks>Transformer encoders have no convolutions, so this matters only for models that do.</remarks>
public enum CudnnConvAlgoSearch
{
    /// <summary>Benchmarks every algorithm once per shape and keeps the fastest (<c>EXHAUSTIVE</c>, ONNX Runtime's default).</summary>
    Exhaustive,

    /// <summary>Takes cuDNN's heuristic choice without benchmarking (<c>HEURISTIC</c>).</summary>
    Heuristic,

    /// <summary>Uses cuDNN's default algorithm (<c>DEFAULT</c>).</summary>
    Default,
}
