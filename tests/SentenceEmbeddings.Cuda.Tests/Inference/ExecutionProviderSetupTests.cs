using SentenceEmbeddings.Inference;

namespace SentenceEmbeddings.Cuda.Tests.Inference;

/// <summary>Each way CUDA fails becomes a reason that names the missing piece and the fix.</summary>
public sealed class ExecutionProviderSetupTests
{
    [Theory]
    [InlineData(
        "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2043 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory",
        "libcublasLt.so.13 is missing. ONNX Runtime 1.32's CUDA provider needs CUDA 13.x")]
    [InlineData(
        "Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory",
        "libcudnn.so.9 is missing.")]
    [InlineData(
        "Failed to load library libonnxruntime_providers_cuda.so with error: libonnxruntime_providers_cuda.so: cannot open shared object file: No such file or directory",
        "libonnxruntime_providers_cuda.so is missing from the application's folder. Add the SentenceEmbeddings.Cuda package")]
    [InlineData(
        "[ErrorCode:Fail] CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=x ; file=cuda_execution_provider.cc ; line=279 ; expr=cudaSetDevice(info_.device_id);",
        "no CUDA device is visible")]
    [InlineData(
        "[ErrorCode:Fail] CUDA failure 101: invalid device ordinal ; GPU=3 ; expr=cudaSetDevice(info_.device_id);",
        "there is no CUDA device 3")]
    [InlineData(
        "[ErrorCode:Fail] CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version",
        "the NVIDIA driver is too old")]
    [InlineData(
        "[ErrorCode:Fail] CUDA execution provider is not enabled in this build.",
        "this process loaded the CPU build of ONNX Runtime")]
    [InlineData(
        "[ErrorCode:RuntimeException] Something unexpected\nsecond line",
        "ONNX Runtime could not start CUDA ([ErrorCode:RuntimeException] Something unexpected).")]
    public void Diagnose_OnnxRuntimeMessage_NamesTheMissingPiece(string message, string expected)
    {
        var exception = new InvalidOperationException(message); // OnnxRuntimeException has no public constructor; only the message is read.

        string reason = ExecutionProviderSetup.Diagnose(exception, new CudaOptions { DeviceId = 3 });

        Assert.StartsWith(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_EntryPointNotFound_SaysTheCpuBuildWasLoaded()
    {
        var exception = new EntryPointNotFoundException("Unable to find an entry point named 'OrtSessionOptionsAppendExecutionProvider_CUDA' in shared library 'onnxruntime'.");

        string reason = ExecutionProviderSetup.Diagnose(exception, new CudaOptions());

        Assert.Contains("CPU build of ONNX Runtime", reason, StringComparison.Ordinal);
        Assert.Contains("SentenceEmbeddings.Cuda", reason, StringComparison.Ordinal);
        Assert.Contains("not Microsoft.ML.OnnxRuntime", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaOptions_ToProviderOptions_UsesOnnxRuntimesKeys()
    {
        var options = new CudaOptions
        {
            DeviceId = 2,
            GpuMemoryLimitBytes = 4_000_000_000,
            CudnnConvAlgoSearch = CudnnConvAlgoSearch.Heuristic,
            ArenaExtendStrategy = CudaArenaExtendStrategy.SameAsRequested,
        };

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "2",
                ["gpu_mem_limit"] = "4000000000",
                ["cudnn_conv_algo_search"] = "HEURISTIC",
                ["arena_extend_strategy"] = "kSameAsRequested",
            },
            options.ToProviderOptions());
        Assert.DoesNotContain("gpu_mem_limit", new CudaOptions().ToProviderOptions().Keys);
    }

    [Fact]
    public void CudaOptions_Defaults_AreDocumented()
    {
        var options = new CudaOptions();

        Assert.Equal(0, options.DeviceId);
        Assert.True(options.FallbackToCpu);
        Assert.Null(options.GpuMemoryLimitBytes);
        Assert.Equal(CudnnConvAlgoSearch.Exhaustive, options.CudnnConvAlgoSearch);
        Assert.Equal(CudaArenaExtendStrategy.NextPowerOfTwo, options.ArenaExtendStrategy);
        Assert.Equal(65_536, options.MaxBatchTokens);
        Assert.Equal(512, options.MaxBatchSize);
        Assert.Equal(ExecutionProvider.Cpu, new SentenceEmbeddingGeneratorOptions().ExecutionProvider);
        Assert.Equal(ExecutionProvider.Cpu, new SentenceEmbeddingsOptions().ExecutionProvider);
    }

    [Fact]
    public void GeneratorOptions_BadCudaValue_ThrowsNamingIt()
    {
        var options = new SentenceEmbeddingGeneratorOptions { Cuda = { DeviceId = -1 } };

        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbeddingGenerator(SentenceEmbeddings.Tests.TestModels.MiniLM, options));

        Assert.Contains("Cuda:DeviceId is -1", exception.Message, StringComparison.Ordinal);
    }
}
