using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings.Inference;

/// <summary>Adds an execution provider to ONNX Runtime session options, and turns its failures into a reason a person can act on.</summary>
/// <remarks>
/// Which native ONNX Runtime the process loaded decides what can run: the CPU build (package Microsoft.ML.OnnxRuntime, which
/// the core package brings) or the GPU build (Microsoft.ML.OnnxRuntime.Gpu.*, which SentenceEmbeddings.Cuda brings and
/// puts in its place). CUDA then fails in three places, each caught: the provider library or a CUDA library it needs is
/// missing (creating the CUDA options), no device (creating the session), or cuDNN/cuBLAS missing or out of memory (the
/// first run).
/// </remarks>
internal static partial class ExecutionProviderSetup
{
    private const string CudaProviderName = "CUDAExecutionProvider";

    private const string CudaRequirements =
        "ONNX Runtime 1.32's CUDA provider needs CUDA 13.x (cudart, cuBLAS, cuRAND) and cuDNN 9.x where the loader finds them " +
        "(ldconfig or LD_LIBRARY_PATH; on Windows, PATH), and an NVIDIA driver for CUDA 13; an image such as " +
        "nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04 has them.";

    private const string AddCudaPackage =
        "Add the SentenceEmbeddings.Cuda package to the application, and not Microsoft.ML.OnnxRuntime (whose CPU library would take its place).";

    /// <summary>Gets a value indicating whether the loaded native ONNX Runtime was built with the CUDA provider.</summary>
    /// <remarks>The GPU build lists CUDA even on a machine without CUDA, so this tells the build apart, not whether CUDA works.</remarks>
    public static bool NativeLibraryHasCuda()
    {
        try
        {
            return OrtEnv.Instance().GetAvailableProviders().Contains(CudaProviderName, StringComparer.Ordinal);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            return false;
        }
    }

    /// <summary>Adds the CUDA provider with the given options.</summary>
    /// <param name="sessionOptions">The session options to add it to.</param>
    /// <param name="cuda">The device and provider options.</param>
    /// <exception cref="OnnxRuntimeException">The provider or a library it needs cannot be loaded.</exception>
    public static void AppendCuda(SessionOptions sessionOptions, CudaOptions cuda)
    {
        // Creating the provider options loads libonnxruntime_providers_cuda first, and its error names the missing library.
        using var providerOptions = new OrtCUDAProviderOptions();
        providerOptions.UpdateOptions(cuda.ToProviderOptions());
        sessionOptions.AppendExecutionProvider_CUDA(providerOptions);
    }

    /// <summary>Gets a value indicating whether an exception says that a provider could not start (rather than that the model is bad).</summary>
    /// <param name="exception">The exception thrown while setting up or running the provider.</param>
    /// <returns><see langword="true"/> for ONNX Runtime's own errors and for native libraries or entry points that are missing.</returns>
    public static bool IsProviderFailure(Exception exception) =>
        exception is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException;

    /// <summary>Says why CUDA cannot run in this process when the native library is the CPU build.</summary>
    /// <returns>The reason, with the fix.</returns>
    public static string CpuBuildReason() =>
        "this process loaded the CPU build of ONNX Runtime, which has no CUDA provider. " + AddCudaPackage;

    /// <summary>Turns the exception that stopped CUDA into what is missing and how to fix it.</summary>
    /// <param name="exception">The exception thrown while adding the provider, creating the session or running it first.</param>
    /// <param name="cuda">The options CUDA was asked for with.</param>
    /// <returns>The reason, naming the missing library where ONNX Runtime names it.</returns>
    public static string Diagnose(Exception exception, CudaOptions cuda)
    {
        string message = exception.Message;
        if (exception is EntryPointNotFoundException || message.Contains("CUDA execution provider is not enabled in this build", StringComparison.Ordinal))
        {
            return CpuBuildReason();
        }

        if (exception is DllNotFoundException)
        {
            return $"the native ONNX Runtime library cannot be loaded ({message}). {AddCudaPackage}";
        }

        Match missing = MissingSharedObject().Match(message);
        if (missing.Success)
        {
            string library = missing.Groups["library"].Value;
            return library.StartsWith("libonnxruntime", StringComparison.Ordinal)
                ? $"{library} is missing from the application's folder. {AddCudaPackage}"
                : $"{library} is missing. {CudaRequirements}";
        }

        if (message.Contains("LoadLibrary failed", StringComparison.Ordinal))
        {
            return $"onnxruntime_providers_cuda.dll or a DLL it needs cannot be loaded. {CudaRequirements}";
        }

        if (message.Contains("no CUDA-capable device", StringComparison.Ordinal))
        {
            return "no CUDA device is visible. Check nvidia-smi and CUDA_VISIBLE_DEVICES; in a container, pass the GPU through (docker run --gpus all).";
        }

        if (message.Contains("invalid device ordinal", StringComparison.Ordinal))
        {
            return $"there is no CUDA device {cuda.DeviceId}. Check nvidia-smi and CUDA_VISIBLE_DEVICES, or set Cuda:DeviceId to a device that exists.";
        }

        if (message.Contains("driver version is insufficient", StringComparison.Ordinal))
        {
            return $"the NVIDIA driver is too old for the CUDA runtime. {CudaRequirements}";
        }

        if (message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            return $"CUDA device {cuda.DeviceId} is out of memory. Free it, or set Cuda:GpuMemoryLimitBytes and Cuda:MaxBatchTokens lower.";
        }

        string firstLine = message.Split('\n', 2)[0].Trim();
        return $"ONNX Runtime could not start CUDA ({firstLine}). {CudaRequirements}";
    }

    // "…libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory"
    [GeneratedRegex(@"(?<library>[\w.+-]+\.so(?:\.[\w]+)*): cannot open shared object file")]
    private static partial Regex MissingSharedObject();
}
