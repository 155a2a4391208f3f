/// <summary>Splits a text into sentence passages: the sample's stand-in for the library's token-based chunking (issue "Long documents"), which replaces it.</summary>
internal static class Passages
{
    /// <summary>The [start, end) range of each sentence, ending after '.', '!', '?' or '。'.</summary>
    public static (int Start, int End)[] Split(string text)
    {
        var passages = new List<(int Start, int End)>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            bool end = text[i] is '。' or '！' or '？' || (text[i] is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (end)
            {
                passages.Add((start, i + 1));
                start = i + 1;
            }
        }

        if (text[start..].Trim().Length > 0)
        {
            passages.Add((start, text.Length));
        }

        return passages.Count > 0 ? [.. passages] : [(0, text.Length)];
    }
}
