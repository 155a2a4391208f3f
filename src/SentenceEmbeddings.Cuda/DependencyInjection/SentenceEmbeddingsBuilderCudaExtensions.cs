using SentenceEmbeddings;
using SentenceEmbeddings.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs the tiers registered by <c>AddSentenceEmbeddings</c> on CUDA.</summary>
public static class SentenceEmbeddingsBuilderCudaExtensions
{
    /// <summary>Asks for ONNX Runtime's CUDA execution provider for every tier, overriding the configuration's <c>ExecutionProvider</c> and <c>Cuda</c> keys.</summary>
    /// <param name="builder">The builder <c>AddSentenceEmbeddings</c> returned.</param>
    /// <param name="deviceId">The CUDA device, as <c>nvidia-smi</c> numbers them.</param>
    /// <param name="configure">Sets more CUDA options, such as <see cref="CudaOptions.FallbackToCpu"/>, or <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>A tier with its own <c>Cuda</c> section or <c>ExecutionProvider</c> keeps them.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deviceId"/> is negative.</exception>
    public static SentenceEmbeddingsBuilder UseCuda(this SentenceEmbeddingsBuilder builder, int deviceId = 0, Action<CudaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        builder.Services.Configure<SentenceEmbeddingsOptions>(options =>
        {
            options.ExecutionProvider = ExecutionProvider.Cuda;
            options.Cuda.DeviceId = deviceId;
            configure?.Invoke(options.Cuda);
        });
        return builder;
    }
}
