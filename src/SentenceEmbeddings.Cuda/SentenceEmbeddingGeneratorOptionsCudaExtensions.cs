namespace SentenceEmbeddings;

/// <summary>Runs a <see cref="SentenceEmbeddingGenerator"/> on CUDA.</summary>
public static class SentenceEmbeddingGeneratorOptionsCudaExtensions
{
    /// <summary>Asks for ONNX Runtime's CUDA execution provider on a device, falling back to the CPU with one warning unless configured otherwise.</summary>
    /// <param name="options">The generator options to change.</param>
    /// <param name="deviceId">The CUDA device, as <c>nvidia-smi</c> numbers them.</param>
    /// <param name="configure">Sets more CUDA options, such as <see cref="CudaOptions.FallbackToCpu"/>, or <see langword="null"/>.</param>
    /// <returns>The same options.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deviceId"/> is negative.</exception>
    public static SentenceEmbeddingGeneratorOptions UseCuda(this SentenceEmbeddingGeneratorOptions options, int deviceId = 0, Action<CudaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        options.ExecutionProvider = ExecutionProvider.Cuda;
        options.Cuda.DeviceId = deviceId;
        configure?.Invoke(options.Cuda);
        return options;
    }
}
