using System.Buffers;

namespace SentenceEmbeddings.Tokenization;

/// <summary>A SentencePiece Unigram tokenizer (XLM-RoBERTa and its family) read from <c>tokenizer.json</c>, giving the ids of HuggingFace's Rust <c>tokenizers</c>.</summary>
/// <remarks>
/// The pipeline is the Rust crate's: added tokens matched in the raw text, the file's normalizer sequence, the Metaspace
/// pre-tokenizer, the Unigram model and the template's start and end tokens; the text is first stripped as Python's
/// <c>str.strip()</c> strips it, as sentence-transformers does. Immutable, so many threads may call it at once.
/// </remarks>
internal sealed class UnigramTokenizer : ISentenceTokenizer
{
    // A long text is tokenized in growing prefixes cut at a space, so that it is not normalized and segmented past what is kept.
    private const int MinimumPrefixChars = 1024;
    private const int PrefixCharsPerToken = 8;

    private readonly UnigramModel _model;
    private readonly UnigramNormalizer _normalizer;
    private readonly AddedTokenMatcher _addedTokens;
    private readonly HashSet<int> _leftStripIds;
    private readonly HashSet<int> _rightStripIds;
    private readonly char _replacement;
    private readonly MetaspacePrependScheme _prependScheme;
    private readonly bool _split;
    private readonly bool _canCutAtSpaces;

    /// <summary>Initializes a new instance of the <see cref="UnigramTokenizer"/> class.</summary>
    /// <param name="model">The Unigram model.</param>
    /// <param name="normalizer">The normalizer sequence.</param>
    /// <param name="metaspace">The Metaspace replacement character, prepend scheme and whether it splits words.</param>
    /// <param name="addedTokens">The added tokens, matched in the raw text.</param>
    /// <param name="leftStripIds">The added tokens that take the whitespace before them (<c>lstrip</c>).</param>
    /// <param name="rightStripIds">The added tokens that take the whitespace after them (<c>rstrip</c>).</param>
    /// <param name="specialIds">The ids written before and after the text and the padding id.</param>
    /// <param name="sourcePath">The <c>tokenizer.json</c> file, for messages.</param>
    public UnigramTokenizer(
        UnigramModel model,
        UnigramNormalizer normalizer,
        (char Replacement, MetaspacePrependScheme PrependScheme, bool Split) metaspace,
        AddedTokenMatcher addedTokens,
        IEnumerable<int> leftStripIds,
        IEnumerable<int> rightStripIds,
        (int Bos, int Eos, int Pad) specialIds,
        string sourcePath)
    {
        _model = model;
        _normalizer = normalizer;
        _addedTokens = addedTokens;
        _leftStripIds = [.. leftStripIds];
        _rightStripIds = [.. rightStripIds];
        (_replacement, _prependScheme, _split) = metaspace;
        (BosId, EosId, PadId) = specialIds;
        SourcePath = sourcePath;
        VocabularySize = Math.Max(model.Count, addedTokens.Tokens.Values.DefaultIfEmpty(-1).Max() + 1);
        _canCutAtSpaces = _split && !addedTokens.Tokens.Keys.Any(token => token.AsSpan().ContainsAny(' ', _replacement));
    }

    /// <summary>Gets the id written before the text, e.g. <c>&lt;s&gt;</c>.</summary>
    public int BosId { get; }

    /// <summary>Gets the id written after the text, e.g. <c>&lt;/s&gt;</c>.</summary>
    public int EosId { get; }

    /// <inheritdoc/>
    public int PadId { get; }

    /// <inheritdoc/>
    public int VocabularySize { get; }

    /// <inheritdoc/>
    public string SourcePath { get; }

    /// <summary>Gets the id of the unknown token.</summary>
    public int UnknownId => _model.UnknownId;

    /// <inheritdoc/>
    public int Encode(ReadOnlySpan<char> text, Span<long> ids, out bool truncated)
    {
        if (ids.Length < 2)
        {
            throw new ArgumentException($"The id span must have room for at least the start and end tokens (2 ids), but its length is {ids.Length}.", nameof(ids));
        }

        ReadOnlySpan<char> stripped = PythonWhitespace.Strip(text, out _);
        var sink = new TruncatingSink(ids[1..^1]);
        bool done = false;
        if (_canCutAtSpaces)
        {
            long window = Math.Max(MinimumPrefixChars, (ids.Length - 1L) * PrefixCharsPerToken);
            while (!done && window < stripped.Length)
            {
                int cut = FindCut(stripped, (int)window);
                if (cut > 0)
                {
                    sink.Count = 0;
                    Tokenize(stripped[..cut], 0, ref sink);
                    done = sink.Overflowed;
                }

                window *= 2;
            }
        }

        if (!done)
        {
            sink.Count = 0;
            Tokenize(stripped, 0, ref sink);
        }

        ids[0] = BosId;
        ids[sink.Count + 1] = EosId;
        truncated = sink.Overflowed;
        return sink.Count + 2;
    }

    /// <inheritdoc/>
    public void EncodeWords(ReadOnlySpan<char> text, List<long> ids, List<WordSpan> words)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(words);
        ReadOnlySpan<char> stripped = PythonWhitespace.Strip(text, out int offset);
        var sink = new ListSink(ids, words);
        Tokenize(stripped, offset, ref sink);
    }

    // The last space at or before end, in its second half, between two ASCII letters or digits: the words before it are the
    // first words of the whole text, since no normalizer step of the supported kinds looks across such a space; 0 if none.
    private static int FindCut(ReadOnlySpan<char> text, int end)
    {
        for (int i = Math.Min(end, text.Length - 2); i > end / 2; i--)
        {
            if (text[i] == ' ' && char.IsAsciiLetterOrDigit(text[i - 1]) && char.IsAsciiLetterOrDigit(text[i + 1]))
            {
                return i;
            }
        }

        return 0;
    }

    private void Tokenize<TSink>(ReadOnlySpan<char> text, int offset, ref TSink sink)
        where TSink : IUnigramWordSink, allows ref struct
    {
        using var first = new AlignedText(text.Length + 8);
        using var second = new AlignedText(text.Length + 8);
        int partStart = 0;
        while (true)
        {
            int index = 0, length = 0, id = -1;
            bool found = !_addedTokens.IsEmpty && _addedTokens.TryFind(text, partStart, text.Length, out index, out length, out id);
            int partEnd = found ? index : text.Length;
            int tokenStart = partEnd;
            int tokenEnd = found ? index + length : text.Length;
            if (found && _leftStripIds.Contains(id))
            {
                while (tokenStart > partStart && char.IsWhiteSpace(text[tokenStart - 1]))
                {
                    tokenStart--;
                }

                partEnd = tokenStart;
            }

            if (found && _rightStripIds.Contains(id))
            {
                while (tokenEnd < text.Length && char.IsWhiteSpace(text[tokenEnd]))
                {
                    tokenEnd++;
                }
            }

            if (partEnd > partStart)
            {
                first.Clear();
                second.Clear();
                if (!TokenizePart(text, partStart, partEnd, offset, first, second, ref sink))
                {
                    return;
                }
            }

            if (!found || !sink.Add([id], tokenStart + offset, tokenEnd + offset))
            {
                return;
            }

            partStart = tokenEnd;
        }
    }

    private bool TokenizePart<TSink>(ReadOnlySpan<char> text, int start, int end, int offset, AlignedText first, AlignedText second, ref TSink sink)
        where TSink : IUnigramWordSink, allows ref struct
    {
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            bool paired = char.IsHighSurrogate(c) ? i + 1 < end && char.IsLowSurrogate(text[i + 1]) : char.IsLowSurrogate(c) && i > start && char.IsHighSurrogate(text[i - 1]);

            // The Rust crate only sees UTF-8, into which a lone surrogate arrives as U+FFFD.
            first.Append(char.IsSurrogate(c) && !paired ? '\uFFFD' : c, i + offset, i + offset + 1);
        }

        AlignedText normalized = _normalizer.Apply(first, second);
        if (normalized.Length == 0)
        {
            return true;
        }

        ReadOnlySpan<char> chars = normalized.Chars;
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] == ' ')
            {
                normalized.Set(i, _replacement);
            }
        }

        bool prepend = _prependScheme == MetaspacePrependScheme.Always || (_prependScheme == MetaspacePrependScheme.First && start == 0);
        if (prepend && normalized.Chars[0] != _replacement)
        {
            normalized.Prepend(_replacement);
        }

        chars = normalized.Chars;
        int[] ids = ArrayPool<int>.Shared.Rent((3 * chars.Length) + 4);
        try
        {
            int wordStart = 0;
            while (wordStart < chars.Length)
            {
                int wordEnd = _split ? chars[(wordStart + 1)..].IndexOf(_replacement) : -1;
                wordEnd = wordEnd < 0 ? chars.Length : wordStart + 1 + wordEnd;
                int count = _model.Encode(chars[wordStart..wordEnd], ids);
                if (!sink.Add(ids.AsSpan(0, count), normalized.StartOf(wordStart), normalized.EndOf(wordEnd - 1)))
                {
                    return false;
                }

                wordStart = wordEnd;
            }

            return true;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ids);
        }
    }

    // Writes ids into the caller's span and stops at the first id that does not fit.
    private ref struct TruncatingSink(Span<long> ids) : IUnigramWordSink
    {
        private readonly Span<long> _ids = ids;

        public int Count { get; set; }

        public bool Overflowed { get; private set; }

        public bool Add(scoped ReadOnlySpan<int> ids, int start, int end)
        {
            foreach (int id in ids)
            {
                if (Count == _ids.Length)
                {
                    Overflowed = true;
                    return false;
                }

                _ids[Count++] = id;
            }

            return true;
        }
    }

    // Collects every id and word for EncodeWords.
    private readonly struct ListSink(List<long> ids, List<WordSpan> words) : IUnigramWordSink
    {
        public bool Add(scoped ReadOnlySpan<int> wordIds, int start, int end)
        {
            foreach (int id in wordIds)
            {
                ids.Add(id);
            }

            if (wordIds.Length > 0)
            {
                words.Add(new WordSpan(start, end, wordIds.Length));
            }

            return true;
        }
    }
}
