namespace SentenceEmbeddings;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU execution provider.</summary>
    Cpu,

    /// <summary>ONNX Runtime's CUDA execution provider on an NVIDIA GPU; needs the <c>SentenceEmbeddings.Cuda</c> package, CUDA 13.x and cuDNN 9.x.</summary>
    Cuda,
}
