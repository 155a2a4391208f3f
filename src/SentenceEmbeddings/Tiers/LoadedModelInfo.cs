namespace SentenceEmbeddings;

/// <summary>A snapshot of one loaded model: which tier, from where, how big, and when last used.</summary>
public sealed class LoadedModelInfo
{
    /// <summary>Gets the tier's name.</summary>
    public required string Tier { get; init; }

    /// <summary>Gets the model id.</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the model folder it was loaded from.</summary>
    public required string Folder { get; init; }

    /// <summary>Gets the ONNX file it runs, relative to the folder (such as <c>onnx/model.onnx</c>).</summary>
    public required string OnnxFile { get; init; }

    /// <summary>Gets the vector length.</summary>
    public int Dimensions { get; init; }

    /// <summary>Gets the truncation length.</summary>
    public int MaxSequenceLength { get; init; }

    /// <summary>Gets the size of its ONNX file, the bulk of what it holds in memory.</summary>
    public long ApproximateMemoryBytes { get; init; }

    /// <summary>Gets when it finished loading.</summary>
    public DateTimeOffset LoadedAt { get; init; }

    /// <summary>Gets when a call last used it.</summary>
    public DateTimeOffset LastUsedAt { get; init; }

    /// <summary>Gets the calls using it right now.</summary>
    public int ActiveCalls { get; init; }

    /// <summary>Gets the execution provider that runs the model: the one configured, or <see cref="SentenceEmbeddings.ExecutionProvider.Cpu"/> after a fallback.</summary>
    public required ExecutionProvider ExecutionProvider { get; init; }

    /// <summary>Gets why the configured execution provider could not start, when the model fell back to the CPU; otherwise <see langword="null"/>.</summary>
    public string? ExecutionProviderFallbackReason { get; init; }
}
