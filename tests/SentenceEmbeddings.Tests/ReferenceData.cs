using System.Text.Json;

namespace SentenceEmbeddings.Tests;

/// <summary>The reference outputs of an independent implementation (assets/reference, see its README).</summary>
internal static class ReferenceData
{
    public static ReferenceFile MiniLM { get; } = Load("minilm-l6-v2.golden.json");

    public static ReferenceFile Arctic { get; } = Load("arctic-embed-xs.golden.json");

    private static ReferenceFile Load(string name)
    {
        using FileStream stream = File.OpenRead(Path.Combine(TestModels.Assets, "reference", name));
        using JsonDocument document = JsonDocument.Parse(stream);
        JsonElement root = document.RootElement;
        var items = new List<ReferenceItem>();
        foreach (JsonElement item in root.GetProperty("items").EnumerateArray())
        {
            items.Add(new ReferenceItem(
                item.GetProperty("id").GetString()!,
                item.GetProperty("category").GetString()!,
                item.GetProperty("text").GetString()!,
                [.. item.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt64())],
                item.GetProperty("truncated").GetBoolean(),
                [.. item.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())]));
        }

        return new ReferenceFile(root.GetProperty("tokenizer").GetProperty("max_length").GetInt32(), items);
    }
}

internal sealed record ReferenceFile(int MaxLength, IReadOnlyList<ReferenceItem> Items);

internal sealed record ReferenceItem(string Id, string Category, string Text, long[] TokenIds, bool Truncated, float[] Embedding);
