using Microsoft.Extensions.Logging;

namespace SentenceEmbeddings.Diagnostics;

/// <summary>The library's log events.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Loaded tier '{Tier}' ({ModelId}) from {Folder}, ONNX file {OnnxFile}, in {ElapsedMs} ms, warm-up included")]
    public static partial void ModelLoaded(ILogger logger, string tier, string modelId, string folder, string onnxFile, long elapsedMs);

    [LoggerMessage(2, LogLevel.Information, "Unloaded tier '{Tier}' ({ModelId})")]
    public static partial void ModelUnloaded(ILogger logger, string tier, string modelId);

    [LoggerMessage(3, LogLevel.Information, "Evicted tier '{Tier}' ({ModelId}), least recently used, to stay within {MaxLoadedModels} models and {MaxMemoryBytes} bytes")]
    public static partial void ModelEvicted(ILogger logger, string tier, string modelId, int maxLoadedModels, long? maxMemoryBytes);

    [LoggerMessage(4, LogLevel.Warning, "Over the model budget ({Loaded} loaded, {Bytes} bytes) but every loaded model is busy; nothing was unloaded")]
    public static partial void OverBudget(ILogger logger, int loaded, long bytes);

    [LoggerMessage(5, LogLevel.Error, "Loading tier '{Tier}' ({ModelId}) failed")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string tier, string modelId);

    [LoggerMessage(6, LogLevel.Information, "Preloading tiers {Tiers}")]
    public static partial void Preloading(ILogger logger, string tiers);

    [LoggerMessage(7, LogLevel.Information, "Downloading tier '{Tier}' ({ModelId}) from the hub into {Cache}")]
    public static partial void Downloading(ILogger logger, string tier, string modelId, string cache);

    [LoggerMessage(8, LogLevel.Warning, "CUDA was asked for {ModelId} but cannot start, so it runs on the CPU: {Reason}")]
    public static partial void CudaFallback(ILogger logger, Exception? exception, string modelId, string reason);

    [LoggerMessage(9, LogLevel.Information, "{ModelId} runs on CUDA device {DeviceId}")]
    public static partial void RunningOnCuda(ILogger logger, string modelId, int deviceId);
}
