using System.Diagnostics.Metrics;
using SentenceEmbeddings.Diagnostics;

namespace SentenceEmbeddings.Tests.Diagnostics;

public sealed class SentenceEmbeddingsTelemetryTests
{
    [Fact]
    public async Task GenerateAsync_RecordsTokensTruncationsBatchesAndInferenceTime()
    {
        string modelId = "metrics-" + Guid.NewGuid().ToString("N");
        var measurements = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SentenceEmbeddingsTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "model" && (string?)tag.Value == modelId)
                {
                    lock (measurements)
                    {
                        measurements[instrument.Name] = measurements.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        using var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { ModelId = modelId, MaxSequenceLength = 8 });

        await generator.GenerateAsync(["hello world", "one two three four five six seven eight nine"]);

        Assert.Equal(12, measurements["sentence_embeddings.tokens"]);
        Assert.Equal(1, measurements["sentence_embeddings.truncations"]);
        Assert.Equal(2, measurements["sentence_embeddings.batch.size"]);
        Assert.True(measurements["sentence_embeddings.inference.duration"] > 0);
    }
}
