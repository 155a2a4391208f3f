using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>The HuggingFace Rust tokenizer (through Tokenizers.DotNet) on a copy of MiniLM's tokenizer.json, next to our tokenizer loaded from the same copy.</summary>
/// <remarks>
/// The copy has <c>"truncation": null</c> and <c>"padding": null</c>: the hub file truncates at 128 and pads to 128, which is
/// not what sentence-transformers does. Strings passed to the Rust side are marshalled as UTF-8, which turns a lone
/// surrogate into U+FFFD, so only well-formed strings make fair comparisons.
/// </remarks>
internal sealed class HuggingFaceOracle : IDisposable
{
    private readonly Tokenizers.DotNet.Tokenizer _oracle;
    private readonly long[] _ids = new long[100_000];

    private HuggingFaceOracle(string directory)
    {
        Directory = directory;
        _oracle = new Tokenizers.DotNet.Tokenizer(Path.Combine(directory, "tokenizer.json"));
        Tokenizer = WordPieceTokenizerLoader.Load(directory);
    }

    /// <summary>Gets the temporary folder that holds the edited tokenizer.json.</summary>
    public string Directory { get; }

    /// <summary>Gets our tokenizer, loaded from the same tokenizer.json as the oracle.</summary>
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>Creates an oracle from MiniLM's tokenizer.json, optionally with changed BertNormalizer settings.</summary>
    /// <param name="normalizerSettings">Settings to overwrite in the "normalizer" object, e.g. ("strip_accents", false).</param>
    public static HuggingFaceOracle Create(params (string Name, bool? Value)[] normalizerSettings) => Create([], normalizerSettings);

    /// <summary>Creates an oracle from MiniLM's tokenizer.json with extra vocabulary entries and changed BertNormalizer settings.</summary>
    /// <param name="extraTokens">Tokens appended to the vocabulary with the next free ids.</param>
    /// <param name="normalizerSettings">Settings to overwrite in the "normalizer" object, e.g. ("strip_accents", false).</param>
    public static HuggingFaceOracle Create(IReadOnlyList<string> extraTokens, params (string Name, bool? Value)[] normalizerSettings)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizationAssets.MiniLMDirectory, "tokenizer.json")))!;
        root["truncation"] = null;
        root["padding"] = null;
        foreach ((string name, bool? value) in normalizerSettings)
        {
            root["normalizer"]![name] = value;
        }

        JsonObject vocabulary = root["model"]!["vocab"]!.AsObject();
        int nextId = vocabulary.Count;
        foreach (string token in extraTokens)
        {
            vocabulary[token] = nextId++;
        }

        string directory = Path.Combine(Path.GetTempPath(), "wordpiece-oracle-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), root.ToJsonString());
        return new HuggingFaceOracle(directory);
    }

    /// <summary>Renders a string with every non-printable-ASCII character escaped, for failure messages.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (rune.Value is >= 0x20 and < 0x7F)
            {
                builder.Append((char)rune.Value);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:X4}}}");
            }
        }

        return builder.ToString();
    }

    /// <summary>Gets the ids HuggingFace gives the text after Python's <c>str.strip()</c>, as sentence-transformers calls it: [CLS], every text token, [SEP].</summary>
    public long[] Expected(string text) => [.. _oracle.Encode(UnigramOracle.PythonStrip(text)).Select(id => (long)id)];

    /// <summary>Gets the ids our tokenizer gives the text with room for 100,000 ids, so nothing is truncated.</summary>
    public long[] Actual(string text) => Encode(Tokenizer, text, _ids);

    /// <summary>Compares our ids with HuggingFace's for every text and describes the first mismatches.</summary>
    /// <returns>The number of mismatches and a message listing up to <paramref name="shown"/> of them.</returns>
    public (int Count, string Report) Compare(IEnumerable<string> texts, int shown = 5) => Compare(texts, Expected, Actual, shown);

    /// <summary>Compares two id sources for every text and describes the first mismatches; the Unigram oracle uses it too.</summary>
    /// <returns>The number of mismatches and a message listing up to <paramref name="shown"/> of them.</returns>
    public static (int Count, string Report) Compare(IEnumerable<string> texts, Func<string, long[]> expectedIds, Func<string, long[]> actualIds, int shown)
    {
        int count = 0;
        var report = new StringBuilder();
        foreach (string text in texts)
        {
            long[] expected = expectedIds(text);
            long[] actual = actualIds(text);
            if (!expected.AsSpan().SequenceEqual(actual))
            {
                if (count++ < shown)
                {
                    report.AppendLine(CultureInfo.InvariantCulture, $"text:     \"{Escape(text)}\"");
                    report.AppendLine(CultureInfo.InvariantCulture, $"expected: {string.Join(',', expected)}");
                    report.AppendLine(CultureInfo.InvariantCulture, $"actual:   {string.Join(',', actual)}");
                }
            }
        }

        return (count, $"{count} mismatches with HuggingFace; the first ones:{Environment.NewLine}{report}");
    }

    /// <summary>Encodes with a given maximum length and returns exactly the ids written.</summary>
    public static long[] Encode(WordPieceTokenizer tokenizer, string text, long[] buffer)
    {
        int count = tokenizer.Encode(text, buffer, out _);
        return buffer[..count];
    }

    public void Dispose()
    {
        _oracle.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
