using System.Buffers;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Cuts a text too long for the model into windows of whole words that each fit the model with its special tokens and prompt.</summary>
/// <remarks>
/// Windows are filled greedily with words; when a window does not reach the end of the text, a cut after a sentence end
/// (<c>. ! ? ;</c>, their full-width forms, a line break) inside its last quarter wins over the cut after the last word that fits. The next
/// window starts the overlap's worth of tokens (rounded up to a word) before the cut. A single word longer than a window (a long run of
/// Chinese without spaces for a Unigram model) is cut between characters, preferring a sentence end, into windows of its own.
/// </remarks>
internal sealed class TextChunker
{
    // A cut at a sentence end is preferred when it keeps at least three quarters of the window.
    private const int SentenceSearchDivisor = 4;

    // Texts are read in growing prefixes, so a 10 MB text costs the tokens of the windows kept, not of the whole text.
    private const int MinimumPrefixChars = 4096;
    private const int PrefixCharsPerToken = 12;

    private static readonly SearchValues<char> SentenceEnds = SearchValues.Create(".!?;。！？；");

    private readonly SentenceTokenizer _tokenizer;
    private readonly int? _overlapTokens;

    /// <summary>Initializes a new instance of the <see cref="TextChunker"/> class.</summary>
    /// <param name="tokenizer">The model's tokenizer; its maximum sequence length is the window.</param>
    /// <param name="overlapTokens">The tokens consecutive windows share, or <see langword="null"/> for an eighth of the window.</param>
    /// <param name="maxChunks">The most windows per text.</param>
    public TextChunker(SentenceTokenizer tokenizer, int? overlapTokens, int maxChunks)
    {
        _tokenizer = tokenizer;
        _overlapTokens = overlapTokens;
        MaxChunks = maxChunks;
    }

    /// <summary>Gets the most windows per text.</summary>
    public int MaxChunks { get; }

    /// <summary>Returns the overlap used for windows of a given number of text tokens.</summary>
    /// <param name="budget">The text tokens a window holds (the window less special tokens and prompt).</param>
    /// <returns>The overlap in tokens, smaller than <paramref name="budget"/>.</returns>
    public int OverlapFor(int budget) => Math.Clamp(_overlapTokens ?? (budget / 8), 0, Math.Max(0, budget - 1));

    /// <summary>Cuts a text into windows.</summary>
    /// <param name="text">The text, without the prompt.</param>
    /// <param name="prompt">The model's prompt put before every window, or <see langword="null"/>.</param>
    /// <param name="promptTokens">The tokens the prompt puts before every window, special tokens excluded.</param>
    /// <param name="ranges">Receives each window's UTF-16 range in <paramref name="text"/>.</param>
    /// <returns><see langword="true"/> when the text needed more than the most windows and its end was dropped.</returns>
    public bool Split(string text, string? prompt, int promptTokens, List<Range> ranges)
    {
        int budget = _tokenizer.MaxSequenceLength - 2 - promptTokens;
        if (budget < 1)
        {
            // The prompt fills the window: nothing of the text fits, so the one truncated window is all there is.
            ranges.Add(new Range(0, text.Length));
            return true;
        }

        var ids = new List<long>();
        var words = new List<WordSpan>();
        EncodePrefix(text, ((long)MaxChunks * budget) + 1, ids, words);

        int[] cumulative = new int[words.Count + 1];
        for (int i = 0; i < words.Count; i++)
        {
            cumulative[i + 1] = cumulative[i] + words[i].TokenCount;
        }

        int overlap = OverlapFor(budget);
        int start = 0;
        int lastEnd = 0;
        while (start < words.Count)
        {
            if (ranges.Count == MaxChunks)
            {
                return true;
            }

            int end = start;
            while (end < words.Count && cumulative[end + 1] - cumulative[start] <= budget)
            {
                end++;
            }

            if (end == start)
            {
                SplitWord(text, prompt, words[start], budget, ranges);
                lastEnd = ++start;
                continue;
            }

            if (end <= lastEnd)
            {
                // The overlap went back before a word too long for any window: this window would add nothing, so the long word comes next.
                start = lastEnd;
                continue;
            }

            if (end < words.Count)
            {
                int least = budget - (budget / SentenceSearchDivisor);
                for (int cut = end; cut > start + 1 && cut > lastEnd + 1 && cumulative[cut] - cumulative[start] >= least; cut--)
                {
                    if (EndsSentence(text, words, cut - 1))
                    {
                        end = cut;
                        break;
                    }
                }
            }

            int from = start == 0 ? 0 : words[start].Start;
            int to = end == words.Count ? text.Length : TrimEnd(text, words[end - 1].End, words[end].Start);
            ranges.Add(new Range(from, to));
            if (end == words.Count)
            {
                return false;
            }

            lastEnd = end;

            int next = end;
            while (next > start + 1 && cumulative[end] - cumulative[next] < overlap)
            {
                next--;
            }

            start = next;
        }

        return false;
    }

    /// <summary>Counts a text's tokens as the model would see it untruncated, special tokens and prompt included.</summary>
    /// <param name="text">The text, prompt included.</param>
    /// <returns>The token count.</returns>
    public int CountTokens(string text)
    {
        var ids = new List<long>();
        _tokenizer.EncodeWords(text, ids, []);
        return ids.Count + 2;
    }

    private static bool EndsSentence(string text, List<WordSpan> words, int word)
    {
        if (SentenceEnds.Contains(text[words[word].End - 1]))
        {
            return true;
        }

        int gapEnd = word + 1 < words.Count ? words[word + 1].Start : text.Length;
        return text.AsSpan(words[word].End, gapEnd - words[word].End).IndexOfAny('\n', '\r', '\u2029') >= 0;
    }

    // The end of a window: past the zero-token characters after its last word, before the whitespace in front of the next word.
    private static int TrimEnd(string text, int wordEnd, int nextStart)
    {
        int end = nextStart;
        while (end > wordEnd && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end;
    }

    private void EncodePrefix(string text, long neededTokens, List<long> ids, List<WordSpan> words)
    {
        long window = Math.Max(MinimumPrefixChars, neededTokens * PrefixCharsPerToken);
        while (window < text.Length)
        {
            // Cut at whitespace, which ends a word for every tokenizer, so the prefix's words are the text's.
            int cut = (int)window;
            while (cut > window / 2 && !char.IsWhiteSpace(text[cut]))
            {
                cut--;
            }

            if (cut > window / 2)
            {
                _tokenizer.EncodeWords(text.AsSpan(0, cut), ids, words);
                if (ids.Count >= neededTokens)
                {
                    return;
                }

                ids.Clear();
                words.Clear();
            }

            window *= 2;
        }

        _tokenizer.EncodeWords(text, ids, words);
    }

    // A word longer than a window: cut between characters into pieces that each fit, preferring a sentence end.
    private void SplitWord(string text, string? prompt, WordSpan word, int budget, List<Range> ranges)
    {
        long[] buffer = ArrayPool<long>.Shared.Rent(_tokenizer.MaxSequenceLength);
        try
        {
            int length = (int)Math.Max(1, (long)(word.End - word.Start) * budget * 9 / (10L * word.TokenCount));
            int position = word.Start;
            while (position < word.End && ranges.Count < MaxChunks)
            {
                int end = Math.Min(word.End, position + length);
                if (end < word.End && char.IsHighSurrogate(text[end - 1]))
                {
                    end = end - 1 > position ? end - 1 : end + 1;
                }

                int searchFrom = position + ((end - position) * 3 / 4);
                int sentenceEnd = end < word.End ? text.AsSpan(searchFrom, end - searchFrom).LastIndexOfAny(SentenceEnds) : -1;
                if (sentenceEnd >= 0)
                {
                    end = searchFrom + sentenceEnd + 1;
                }

                string piece = string.Concat(prompt, text.AsSpan(position, end - position));
                _tokenizer.Tokenize(piece, buffer, out bool truncated);
                if (truncated && end - position > 1)
                {
                    length = Math.Max(1, (end - position) * 3 / 4);
                    continue;
                }

                ranges.Add(new Range(position, end));
                position = end;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(buffer);
        }
    }
}
