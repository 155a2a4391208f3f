using System.Text.Json;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>The model folders, golden files and text corpora that the tokenizer tests read from the test output folder.</summary>
internal static class TokenizationAssets
{
    public static string MiniLMDirectory => TestModels.MiniLM;

    public static string ArcticDirectory => TestModels.Arctic;

    public static string MiniLMGoldenFile { get; } = Path.Combine(TestModels.Assets, "reference", "minilm-l6-v2.golden.json");

    public static string ArcticGoldenFile { get; } = Path.Combine(TestModels.Assets, "reference", "arctic-embed-xs.golden.json");

    /// <summary>Gets the corpora, as paths under the repository's assets/data (linked into the test output).</summary>
    public static IReadOnlyList<string> CorpusNames { get; } = ["stsb/test.tsv", "sts-zh/test.tsv", "corpus/short.txt", "corpus/long.txt", "corpus/zh.txt"];

    /// <summary>Reads a corpus: one text per line, or both sentences of each row of a <c>score\tsentence1\tsentence2</c> file.</summary>
    public static IReadOnlyList<string> ReadCorpus(string name)
    {
        string[] lines = File.ReadAllLines(Path.Combine(TestModels.Assets, "data", name));
        if (!name.EndsWith(".tsv", StringComparison.Ordinal))
        {
            return lines;
        }

        var sentences = new List<string>();
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split('\t');
            sentences.Add(fields[1]);
            sentences.Add(fields[2]);
        }

        return sentences;
    }

    /// <summary>Reads every text of all corpora.</summary>
    public static IReadOnlyList<string> ReadAllCorpora() => [.. CorpusNames.SelectMany(ReadCorpus)];

    /// <summary>Reads a golden reference file: its max length and, per item, the text, ids after truncation and whether it was truncated.</summary>
    public static (int MaxLength, IReadOnlyList<GoldenItem> Items) ReadGolden(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        int maxLength = root.GetProperty("tokenizer").GetProperty("max_length").GetInt32();
        var items = new List<GoldenItem>();
        foreach (JsonElement item in root.GetProperty("items").EnumerateArray())
        {
            items.Add(new GoldenItem(
                item.GetProperty("id").GetString()!,
                item.GetProperty("text").GetString()!,
                [.. item.GetProperty("token_ids").EnumerateArray().Select(id => id.GetInt64())],
                item.GetProperty("truncated").GetBoolean()));
        }

        return (maxLength, items);
    }
}
