namespace SentenceEmbeddings.Tests.Chunking;

/// <summary>Long test documents: consecutive paragraphs of the benchmark corpora, and odd texts that chunking must survive.</summary>
internal static class LongDocuments
{
    private static readonly Lazy<string[]> EnglishParagraphs = new(() => Read("long.txt"));
    private static readonly Lazy<string[]> ChineseParagraphs = new(() => Read("zh.txt"));

    /// <summary>Gets documents of four consecutive paragraphs of long.txt (about 900 words each).</summary>
    public static IEnumerable<string> English(int count) =>
        Enumerable.Range(0, count).Select(d => string.Join('\n', EnglishParagraphs.Value.Skip(d * 4).Take(4)));

    /// <summary>Gets documents of twenty consecutive lines of zh.txt (about 1,500 characters each).</summary>
    public static IEnumerable<string> Chinese(int count) =>
        Enumerable.Range(0, count).Select(d => string.Join('\n', ChineseParagraphs.Value.Skip(d * 20).Take(20)));

    /// <summary>Gets texts with accents, added-token look-alikes, zero-width characters, surrogates and runs without spaces.</summary>
    public static IEnumerable<string> Odd()
    {
        string english = English(1).First();
        yield return "  \t" + english.Replace(". ", ".\u200B ", StringComparison.Ordinal) + "  \n";
        yield return string.Concat(Enumerable.Repeat("Cafe\u0301 na\u00EFve re\u0301sume\u0301 — d\u00E9j\u00E0 vu! ", 120));
        yield return string.Concat(Enumerable.Repeat("emoji 😀 and [MASK] and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ", 150));
        yield return new string('x', 300) + " " + string.Concat(Enumerable.Repeat("word ", 600));
        yield return Chinese(1).First().Replace("\n", string.Empty, StringComparison.Ordinal);
    }

    private static string[] Read(string file) =>
        File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", file)).Where(l => l.Length > 0).ToArray();
}
