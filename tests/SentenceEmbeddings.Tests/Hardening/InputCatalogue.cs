namespace SentenceEmbeddings.Tests.Hardening;

/// <summary>Odd inputs, each with the text HuggingFace's BERT normalizer turns it into, so both must embed alike.</summary>
/// <remarks>
/// BertNormalizer deletes U+0000, U+FFFD and every "other" character (Cc, Cf, Cn, Co, Cs) but \t \n \r, maps whitespace to a space,
/// and with lower-casing strips accents (NFD, then Mn marks dropped). A lone UTF-16 surrogate reaches HuggingFace as U+FFFD.
/// </remarks>
internal static class InputCatalogue
{
    public const string OneMegabyteWords = "employment wages labour ";

    /// <summary>Gets the cases: a name, the input, and the text it must embed as.</summary>
    public static IReadOnlyList<(string Name, string Input, string SameAs)> Cases { get; } =
    [
        ("empty", string.Empty, string.Empty),
        ("whitespace only", " \t\n\r\u00a0\u2003\u3000", string.Empty),
        ("C0 control characters", "bell\u0007char\u0000\u001b", "bellchar"),
        ("lone high surrogate", "\ud800", string.Empty),
        ("lone low surrogate inside a word", "a\udc00b", "ab"),
        ("reversed surrogate pair", "x\udc00\ud800y", "xy"),
        ("replacement character", "x\ufffdy", "xy"),
        ("right-to-left marks and overrides", "a\u200fb\u202ec\u202c", "abc"),
        ("zero-width joiners in an emoji family", "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\U0001F468\U0001F469\U0001F467"),
        ("zero-width space and byte order mark", "foo\u200bbar\ufeff", "foobar"),
        ("combining acute accent", "cafe\u0301 au lait", "cafe au lait"),
        ("precomposed accent", "café au lait", "cafe au lait"),
        ("Arabic with harakat (right to left)", "مَرْحَبًا بِالعَالَم", "مرحبا بالعالم"),
        ("Hebrew with points", "שָׁלוֹם", "שלום"),
        ("a word of 10,000 characters", new string('a', 10_000), "[UNK]"),
        ("1 MB of words", Repeat(OneMegabyteWords, 1 << 20), Repeat(OneMegabyteWords, 8 << 10)),
        ("10 MB of words", Repeat(OneMegabyteWords, 10 << 20), Repeat(OneMegabyteWords, 8 << 10)),
        ("10 MB without a space", new string('x', 10 << 20), "[UNK]"),
        ("1 MB of Chinese without a space", new string('中', 1 << 20), new string('中', 1024)),
    ];

    /// <summary>Gets the cases as xunit rows: the case's index and name.</summary>
    public static TheoryData<int, string> Rows
    {
        get
        {
            var rows = new TheoryData<int, string>();
            for (int i = 0; i < Cases.Count; i++)
            {
                rows.Add(i, Cases[i].Name);
            }

            return rows;
        }
    }

    /// <summary>Gets a few code points of every Unicode general category (lone surrogates as UTF-16 units), spread over the code space.</summary>
    public static IReadOnlyList<(System.Globalization.UnicodeCategory Category, string Text)> CategorySamples(int perCategory)
    {
        var byCategory = new Dictionary<System.Globalization.UnicodeCategory, List<string>>();
        for (int codePoint = 0; codePoint <= 0x10FFFF; codePoint++)
        {
            System.Globalization.UnicodeCategory category = codePoint is >= 0xD800 and <= 0xDFFF
                ? System.Globalization.UnicodeCategory.Surrogate
                : System.Text.Rune.GetUnicodeCategory(new System.Text.Rune(codePoint));
            if (!byCategory.TryGetValue(category, out List<string>? list))
            {
                byCategory[category] = list = [];
            }

            list.Add(codePoint is >= 0xD800 and <= 0xDFFF ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint));
        }

        var samples = new List<(System.Globalization.UnicodeCategory, string)>();
        foreach ((System.Globalization.UnicodeCategory category, List<string> all) in byCategory.OrderBy(p => p.Key))
        {
            int step = Math.Max(1, all.Count / perCategory);
            for (int i = 0; i < all.Count && i / step < perCategory; i += step)
            {
                samples.Add((category, $"x{all[i]}y {all[i]}{all[i]} z"));
            }
        }

        return samples;
    }

    private static string Repeat(string unit, int length) => string.Concat(Enumerable.Repeat(unit, (length / unit.Length) + 1))[..length];
}
