namespace SentenceEmbeddings;

/// <summary>A snapshot of one loaded model: which tier, from where, how big, and when last used.</summary>
/// <param name="Tier">The tier's name.</param>
/// <param name="ModelId">The model id.</param>
/// <param name="Folder">The model folder it was loaded from.</param>
/// <param name="OnnxFile">The ONNX file it runs, relative to the folder (such as <c>onnx/model.onnx</c>).</param>
/// <param name="Dimensions">The vector length.</param>
/// <param name="MaxSequenceLength">The truncation length.</param>
/// <param name="ApproximateMemoryBytes">The size of its ONNX file, the bulk of what it holds in memory.</param>
/// <param name="LoadedAt">When it finished loading.</param>
/// <param name="LastUsedAt">When a call last used it.</param>
/// <param name="ActiveCalls">The calls using it right now.</param>
public sealed record LoadedModelInfo(
    string Tier,
    string ModelId,
    string Folder,
    string OnnxFile,
    int Dimensions,
    int MaxSequenceLength,
    long ApproximateMemoryBytes,
    DateTimeOffset LoadedAt,
    DateTimeOffset LastUsedAt,
    int ActiveCalls)
{
    /// <summary>Gets the execution provider that runs the model: the one configured, or <see cref="SentenceEmbeddings.ExecutionProvider.Cpu"/> after a fallback.</summary>
    public ExecutionProvider ExecutionProvider { get; init; }

    /// <summary>Gets why the configured execution provider could not start, when the model fell back to the CPU; otherwise <see langword="null"/>.</summary>
    public string? ExecutionProviderFallbackReason { get; init; }
}
