using System.Globalization;

namespace SentenceEmbeddings;

/// <summary>Options of ONNX Runtime's CUDA execution provider, used when <see cref="ExecutionProvider.Cuda"/> is asked for.</summary>
/// <remarks>Bound from the configuration keys <c>SentenceEmbeddings:Cuda</c> (and <c>SentenceEmbeddings:Tiers:{tier}:Cuda</c>).</remarks>
public sealed class CudaOptions
{
    /// <summary>Gets or sets the CUDA device to run on.</summary>
    /// <value>The default is 0: the first GPU, as <c>nvidia-smi</c> numbers them (after <c>CUDA_VISIBLE_DEVICES</c>).</value>
    public int DeviceId { get; set; }

    /// <summary>Gets or sets a value indicating whether the model runs on the CPU, with one warning, when CUDA cannot start.</summary>
    /// <value>The default is <see langword="true"/>. With <see langword="false"/>, loading throws
    /// <see cref="ExecutionProviderUnavailableException"/> naming what is missing.</value>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Gets or sets the most bytes ONNX Runtime's CUDA memory arena may take on the device (its <c>gpu_mem_limit</c>).</summary>
    /// <value>The default is <see langword="null"/>: ONNX Runtime's default, no limit but the device's memory.</value>
    public long? GpuMemoryLimitBytes { get; set; }

    /// <summary>Gets or sets how cuDNN convolution algorithms are chosen (its <c>cudnn_conv_algo_search</c>).</summary>
    /// <value>The default is <see cref="CudnnConvAlgoSearch.Exhaustive"/>, ONNX Runtime's default.</value>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; set; } = CudnnConvAlgoSearch.Exhaustive;

    /// <summary>Gets or sets how the CUDA memory arena grows (its <c>arena_extend_strategy</c>).</summary>
    /// <value>The default is <see cref="CudaArenaExtendStrategy.NextPowerOfTwo"/>, ONNX Runtime's default.</value>
    public CudaArenaExtendStrategy ArenaExtendStrategy { get; set; } = CudaArenaExtendStrategy.NextPowerOfTwo;

    /// <summary>Gets or sets the most padded tokens in one run while the model runs on CUDA, instead of the CPU's <c>MaxBatchTokens</c>.</summary>
    /// <value>The default is 65,536 (256 texts of 256 tokens): a GPU needs large batches to be busy. After a fallback to the CPU,
    /// the CPU's value applies.</value>
    public int MaxBatchTokens { get; set; } = 65_536;

    /// <summary>Gets or sets the most texts in one run while the model runs on CUDA, instead of the CPU's <c>MaxBatchSize</c>.</summary>
    /// <value>The default is 512.</value>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Lists the values that are out of range, each message naming its key.</summary>
    /// <param name="keyPrefix">The prefix of each key in the messages, such as <c>SentenceEmbeddings:Cuda:</c>.</param>
    /// <returns>The problems; empty when every value is valid.</returns>
    internal List<string> Validate(string keyPrefix)
    {
        var problems = new List<string>();
        if (DeviceId < 0)
        {
            problems.Add($"{keyPrefix}DeviceId is {DeviceId}; it must be 0 or more (the CUDA device index, as nvidia-smi numbers them).");
        }

        if (GpuMemoryLimitBytes is <= 0)
        {
            problems.Add($"{keyPrefix}GpuMemoryLimitBytes is {GpuMemoryLimitBytes}; it must be more than 0, or unset for no limit.");
        }

        if (!Enum.IsDefined(CudnnConvAlgoSearch))
        {
            problems.Add($"{keyPrefix}CudnnConvAlgoSearch is {CudnnConvAlgoSearch}; it must be Exhaustive, Heuristic or Default.");
        }

        if (!Enum.IsDefined(ArenaExtendStrategy))
        {
            problems.Add($"{keyPrefix}ArenaExtendStrategy is {ArenaExtendStrategy}; it must be NextPowerOfTwo or SameAsRequested.");
        }

        if (MaxBatchTokens < 1)
        {
            problems.Add($"{keyPrefix}MaxBatchTokens is {MaxBatchTokens}; it must be at least 1.");
        }

        if (MaxBatchSize < 1)
        {
            problems.Add($"{keyPrefix}MaxBatchSize is {MaxBatchSize}; it must be at least 1.");
        }

        return problems;
    }

    /// <summary>Gets ONNX Runtime's CUDA provider options for these values.</summary>
    /// <returns>The option keys and values ONNX Runtime reads.</returns>
    internal Dictionary<string, string> ToProviderOptions()
    {
        var options = new Dictionary<string, string>
        {
            ["device_id"] = DeviceId.ToString(CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = CudnnConvAlgoSearch switch
            {
                CudnnConvAlgoSearch.Heuristic => "HEURISTIC",
                CudnnConvAlgoSearch.Default => "DEFAULT",
                _ => "EXHAUSTIVE",
            },
            ["arena_extend_strategy"] = ArenaExtendStrategy == CudaArenaExtendStrategy.SameAsRequested ? "kSameAsRequested" : "kNextPowerOfTwo",
        };
        if (GpuMemoryLimitBytes is long limit)
        {
            options["gpu_mem_limit"] = limit.ToString(CultureInfo.InvariantCulture);
        }

        return options;
    }
}
