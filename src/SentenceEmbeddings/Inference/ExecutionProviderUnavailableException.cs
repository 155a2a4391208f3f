namespace SentenceEmbeddings;

/// <summary>Represents an execution provider that was asked for without a fallback and cannot start, such as CUDA without its libraries or a GPU.</summary>
/// <remarks>Thrown only when <see cref="CudaOptions.FallbackToCpu"/> is <see langword="false"/>; otherwise the model runs on the CPU and one warning is logged.</remarks>
public sealed class ExecutionProviderUnavailableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ExecutionProviderUnavailableException"/> class.</summary>
    public ExecutionProviderUnavailableException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ExecutionProviderUnavailableException"/> class with a message.</summary>
    /// <param name="message">The message that describes the problem.</param>
    public ExecutionProviderUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ExecutionProviderUnavailableException"/> class with a message and its cause.</summary>
    /// <param name="message">The message that describes the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ExecutionProviderUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ExecutionProviderUnavailableException"/> class for a provider and the reason it cannot start.</summary>
    /// <param name="executionProvider">The provider that was asked for.</param>
    /// <param name="reason">What is missing and how to fix it, such as <c>libcublasLt.so.13 is missing: …</c>.</param>
    /// <param name="innerException">The ONNX Runtime or interop exception that showed it, if any.</param>
    public ExecutionProviderUnavailableException(ExecutionProvider executionProvider, string reason, Exception? innerException)
        : base($"The {executionProvider} execution provider was asked for with FallbackToCpu = false, and it cannot start: {reason} " +
            "Or set FallbackToCpu to true to run on the CPU instead.", innerException)
    {
        ExecutionProvider = executionProvider;
        Reason = reason;
    }

    /// <summary>Gets the provider that was asked for.</summary>
    public ExecutionProvider ExecutionProvider { get; }

    /// <summary>Gets what is missing and how to fix it.</summary>
    public string? Reason { get; }
}
