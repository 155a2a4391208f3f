using System.Diagnostics.Metrics;

namespace SentenceEmbeddings;

/// <summary>The library's <see cref="Meter"/> and its instruments.</summary>
/// <remarks>Listen with OpenTelemetry (<c>AddMeter("SentenceEmbeddings")</c>) or <see cref="MeterListener"/>.</remarks>
public static class SentenceEmbeddingsTelemetry
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "SentenceEmbeddings";

    private static readonly Meter Meter = new(MeterName, typeof(SentenceEmbeddingsTelemetry).Assembly.GetName().Version?.ToString());

    internal static Histogram<double> LoadDuration { get; } = Meter.CreateHistogram<double>("sentence_embeddings.model.load.duration", "s", "Time to load a model (ONNX session and tokenizer) and warm it up.");

    internal static Histogram<double> InferenceDuration { get; } = Meter.CreateHistogram<double>("sentence_embeddings.inference.duration", "s", "Time of one ONNX Runtime run over a batch.");

    internal static Histogram<int> BatchSize { get; } = Meter.CreateHistogram<int>("sentence_embeddings.batch.size", "{text}", "Texts in one ONNX Runtime run.");

    internal static Counter<long> Tokens { get; } = Meter.CreateCounter<long>("sentence_embeddings.tokens", "{token}", "Tokens embedded, special tokens included.");

    internal static Counter<long> Truncations { get; } = Meter.CreateCounter<long>("sentence_embeddings.truncations", "{text}", "Texts cut at the model's maximum length.");

    internal static UpDownCounter<int> LoadedModels { get; } = Meter.CreateUpDownCounter<int>("sentence_embeddings.models.loaded", "{model}", "Models loaded right now.");
}
