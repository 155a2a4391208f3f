using System.Buffers;
using System.Text;

namespace SentenceEmbeddings.Tokenization;

/// <summary>The state of one <see cref="WordPieceTokenizer.Encode"/> call: it streams the text through BERT normalization, pre-tokenization and WordPiece into the caller's id span.</summary>
/// <remarks>
/// The stages run per character instead of per string, so nothing is allocated and reading stops as soon as one token
/// more than fits has been produced. The stages follow the HuggingFace <c>tokenizers</c> crate: BertNormalizer
/// (clean_text, handle_chinese_chars, strip_accents, lowercase, in that order), BertPreTokenizer and the WordPiece model.
/// </remarks>
internal ref struct WordPieceEncoder
{
    /// <summary>The length of the stack scratch space to give the constructor's <c>cluster</c>; longer clusters rent.</summary>
    public const int ClusterScratchLength = 32;

    private const int NormalizedStackLength = 128;
    private const char Space = ' ';

    // How far ahead to look for the next added token before tokenizing, so a huge text is not scanned up front.
    private const int AddedTokenSearchWindow = 1024;

    private readonly WordPieceVocabulary _vocabulary;
    private readonly AddedTokenMatcher _addedTokens;
    private readonly ReadOnlySpan<AsciiKind> _asciiKinds;
    private readonly bool _cleanText;
    private readonly bool _handleChineseChars;
    private readonly bool _stripAccents;
    private readonly bool _lowercase;
    private readonly int _unknownId;
    private readonly int _maxInputCharsPerWord;

    private readonly Span<long> _ids;
    private readonly int _capacity;
    private int _count;
    private bool _truncated;

    // EncodeWords: ids go to a list with no limit, and each word's raw range and token count are recorded.
    private readonly List<long>? _idList;
    private readonly List<WordSpan>? _words;
    private readonly int _listBase;
    private int _charStart;
    private int _charEnd;
    private int _clusterStart;
    private int _clusterEnd;
    private int _wordStart;
    private int _wordEnd;

    // The current pre-tokenized word, normalized; only the first _maxInputCharsPerWord code points are kept.
    private readonly Span<char> _word;
    private int _wordLength;
    private int _wordCodePoints;

    // A starter that NFD changes plus the marks after it, or marks with no starter, waiting for NFD.
    private Span<char> _cluster;
    private int _clusterLength;
    private char[]? _rentedCluster;
    private char[]? _rentedNormalized;

    /// <summary>Initializes a new instance of the <see cref="WordPieceEncoder"/> struct.</summary>
    /// <param name="tokenizer">The tokenizer whose settings and vocabulary to use.</param>
    /// <param name="ids">The destination; its length is the maximum sequence length including [CLS] and [SEP].</param>
    /// <param name="word">Scratch space for one word: at least twice the maximum characters per word.</param>
    /// <param name="cluster">Scratch space for a character cluster awaiting NFD; grown from the array pool when too small.</param>
    public WordPieceEncoder(WordPieceTokenizer tokenizer, Span<long> ids, Span<char> word, Span<char> cluster)
    {
        _vocabulary = tokenizer.Vocabulary;
        _addedTokens = tokenizer.AddedTokens;
        _asciiKinds = tokenizer.AsciiKinds;
        BertNormalizerOptions options = tokenizer.NormalizerOptions;
        _cleanText = options.CleanText;
        _handleChineseChars = options.HandleChineseChars;
        _stripAccents = options.StripAccents;
        _lowercase = options.Lowercase;
        _unknownId = tokenizer.UnknownId;
        _maxInputCharsPerWord = tokenizer.MaxInputCharsPerWord;
        _ids = ids;
        _capacity = ids.Length - 2;
        _word = word;
        _cluster = cluster;
    }

    /// <summary>Initializes a new instance of the <see cref="WordPieceEncoder"/> struct that appends every id to a list and records each word's range.</summary>
    /// <param name="tokenizer">The tokenizer whose settings and vocabulary to use.</param>
    /// <param name="ids">Receives the text's ids, with no special tokens and no limit.</param>
    /// <param name="words">Receives one entry per word that produced ids.</param>
    /// <param name="word">Scratch space for one word: at least twice the maximum characters per word.</param>
    /// <param name="cluster">Scratch space for a character cluster awaiting NFD; grown from the array pool when too small.</param>
    public WordPieceEncoder(WordPieceTokenizer tokenizer, List<long> ids, List<WordSpan> words, Span<char> word, Span<char> cluster)
        : this(tokenizer, Span<long>.Empty, word, cluster)
    {
        _capacity = int.MaxValue;
        _idList = ids;
        _words = words;
        _listBase = ids.Count;
    }

    /// <summary>Tokenizes the text into the id span and writes [CLS] and [SEP] around the text tokens; with lists, appends the text tokens only.</summary>
    /// <param name="text">The text to tokenize.</param>
    /// <param name="clsId">The id to write first.</param>
    /// <param name="sepId">The id to write last.</param>
    /// <param name="truncated">Set to whether the text had more tokens than fit.</param>
    /// <returns>The number of ids written, [CLS] and [SEP] included (with lists, the text tokens appended).</returns>
    public int Encode(ReadOnlySpan<char> text, int clsId, int sepId, out bool truncated)
    {
        int position = 0;
        if (_addedTokens.IsEmpty)
        {
            position = text.Length;
            ProcessText(text, 0, text.Length, text.Length);
        }

        while (position < text.Length && !_truncated)
        {
            int window = (int)Math.Min((long)position + AddedTokenSearchWindow, text.Length);
            if (_addedTokens.TryFind(text, position, window, out int index, out int length, out int id))
            {
                // Added tokens split the raw text: each side is normalized on its own.
                ProcessText(text, position, index, index);
                EndSegment();
                _wordStart = index;
                _wordEnd = index + length;
                int before = _count;
                Emit(id);
                RecordWord(before);
                position = index + length;
            }
            else
            {
                position = ProcessText(text, position, window, text.Length);
            }
        }

        if (!_truncated)
        {
            EndSegment();
        }

        if (_idList is not null)
        {
            truncated = false;
            return _count;
        }

        _ids[0] = clsId;
        _ids[_count + 1] = sepId;
        truncated = _truncated;
        return _count + 2;
    }

    /// <summary>Returns the scratch arrays rented for oversized clusters.</summary>
    public void Dispose()
    {
        if (_rentedCluster is not null)
        {
            ArrayPool<char>.Shared.Return(_rentedCluster);
            _rentedCluster = null;
        }

        if (_rentedNormalized is not null)
        {
            ArrayPool<char>.Shared.Return(_rentedNormalized);
            _rentedNormalized = null;
        }
    }

    private static bool IsChineseChar(int codePoint) =>
        codePoint is (>= 0x4E00 and <= 0x9FFF)
            or (>= 0x3400 and <= 0x4DBF)
            or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F)
            or (>= 0x2B920 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF)
            or (>= 0x2F800 and <= 0x2FA1F);

    // Reads text[position..end]; a surrogate pair may be completed from text[end] when end < decodeLimit.
    private int ProcessText(ReadOnlySpan<char> text, int position, int end, int decodeLimit)
    {
        while (position < end && !_truncated)
        {
            char c = text[position];
            _charStart = position;
            if (c < 0x80)
            {
                _charEnd = position + 1;
                // ASCII never decomposes and is a starter, so it needs no NFD and ends any pending cluster.
                AsciiKind kind = _asciiKinds[c];
                if (kind != AsciiKind.Deleted)
                {
                    if (_clusterLength != 0)
                    {
                        FlushCluster();
                    }

                    switch (kind)
                    {
                        case AsciiKind.Word:
                            AppendToWord(_lowercase && (uint)(c - 'A') <= 'Z' - 'A' ? c + ('a' - 'A') : c);
                            break;
                        case AsciiKind.Whitespace:
                            EndWord();
                            break;
                        default:
                            EndWord();
                            AppendToWord(c);
                            EndWord();
                            break;
                    }
                }

                position++;
                continue;
            }

            int codePoint = c;
            int width = 1;
            if (char.IsSurrogate(c))
            {
                // A lone surrogate counts as U+FFFD, which is what the text becomes when it is passed to HuggingFace as UTF-8.
                if (char.IsHighSurrogate(c) && position + 1 < decodeLimit && char.IsLowSurrogate(text[position + 1]))
                {
                    codePoint = char.ConvertToUtf32(c, text[position + 1]);
                    width = 2;
                }
                else
                {
                    codePoint = 0xFFFD;
                }
            }

            _charEnd = position + width;
            ProcessRaw(codePoint);
            position += width;
        }

        return position;
    }

    // BertNormalizer clean_text and handle_chinese_chars for one raw code point.
    private void ProcessRaw(int codePoint)
    {
        LegacyUnicodeFlags flags = LegacyUnicodeTable.GetFlags(codePoint);
        if (_cleanText)
        {
            // '\t', '\n' and '\r' are Cc but count as whitespace; other Cc, Cf and Co are deleted, as are NUL and U+FFFD.
            if (codePoint is 0 or 0xFFFD
                || ((flags & LegacyUnicodeFlags.Other) != 0 && codePoint is not ('\t' or '\n' or '\r')))
            {
                return;
            }

            if ((flags & LegacyUnicodeFlags.Whitespace) != 0)
            {
                Decompose(Space, LegacyUnicodeFlags.Whitespace);
                return;
            }
        }

        if (_handleChineseChars && IsChineseChar(codePoint))
        {
            Decompose(Space, LegacyUnicodeFlags.Whitespace);
            Decompose(codePoint, flags);
            Decompose(Space, LegacyUnicodeFlags.Whitespace);
            return;
        }

        Decompose(codePoint, flags);
    }

    // NFD, applied only when strip_accents is on. NFD of a text is the concatenation of the NFD of its pieces when each
    // piece starts at a starter, so a starter with no decomposition goes straight through and only the rest is buffered.
    private void Decompose(int codePoint, LegacyUnicodeFlags flags)
    {
        if (!_stripAccents)
        {
            StripAndLowercase(codePoint, flags);
            return;
        }

        if ((flags & LegacyUnicodeFlags.Mark) != 0)
        {
            AppendToCluster(codePoint);
            return;
        }

        if (_clusterLength != 0)
        {
            FlushCluster();
        }

        // Characters unassigned in Unicode 9.0.0 have no decomposition in HuggingFace's tables, even when .NET has one.
        if ((flags & LegacyUnicodeFlags.Unassigned) != 0 || CanonicalDecomposition.IsUnchanged(codePoint))
        {
            StripAndLowercase(codePoint, flags);
        }
        else
        {
            AppendToCluster(codePoint);
        }
    }

    private void AppendToCluster(int codePoint)
    {
        if (_clusterLength == 0)
        {
            _clusterStart = _charStart;
        }

        _clusterEnd = _charEnd;
        if (_clusterLength + 2 > _cluster.Length)
        {
            char[] larger = ArrayPool<char>.Shared.Rent(_cluster.Length * 2);
            _cluster[.._clusterLength].CopyTo(larger);
            if (_rentedCluster is not null)
            {
                ArrayPool<char>.Shared.Return(_rentedCluster);
            }

            _rentedCluster = larger;
            _cluster = larger;
        }

        _clusterLength += new Rune(codePoint).EncodeToUtf16(_cluster[_clusterLength..]);
    }

    private void FlushCluster()
    {
        // The cluster's characters came from its own raw range, not from the character that ended it.
        (int charStart, int charEnd) = (_charStart, _charEnd);
        (_charStart, _charEnd) = (_clusterStart, _clusterEnd);
        FlushClusterCharacters();
        (_charStart, _charEnd) = (charStart, charEnd);
    }

    private void FlushClusterCharacters()
    {
        ReadOnlySpan<char> cluster = _cluster[.._clusterLength];
        _clusterLength = 0;

        // A lone mark is the common case (an accent after an ASCII letter) and rarely decomposes.
        if (Rune.DecodeFromUtf16(cluster, out Rune single, out int consumed) == OperationStatus.Done
            && consumed == cluster.Length
            && CanonicalDecomposition.IsUnchanged(single.Value))
        {
            StripAndLowercase(single.Value, LegacyUnicodeTable.GetFlags(single.Value));
            return;
        }

        Span<char> normalized = stackalloc char[NormalizedStackLength];
        if (!cluster.TryNormalize(normalized, out int written, NormalizationForm.FormD))
        {
            int needed = cluster.GetNormalizedLength(NormalizationForm.FormD);
            if (_rentedNormalized is null || _rentedNormalized.Length < needed)
            {
                if (_rentedNormalized is not null)
                {
                    ArrayPool<char>.Shared.Return(_rentedNormalized);
                }

                _rentedNormalized = ArrayPool<char>.Shared.Rent(needed);
            }

            normalized = _rentedNormalized;
            cluster.TryNormalize(normalized, out written, NormalizationForm.FormD);
        }

        ReadOnlySpan<char> output = normalized[..written];
        while (!output.IsEmpty)
        {
            Rune.DecodeFromUtf16(output, out Rune rune, out int length);
            output = output[length..];
            StripAndLowercase(rune.Value, LegacyUnicodeTable.GetFlags(rune.Value));
        }
    }

    private void StripAndLowercase(int codePoint, LegacyUnicodeFlags flags)
    {
        if (_stripAccents && (flags & LegacyUnicodeFlags.NonspacingMark) != 0)
        {
            return;
        }

        if (_lowercase && codePoint >= 0x80)
        {
            if (codePoint == 0x130)
            {
                // Rust's char::to_lowercase maps U+0130 to "i\u0307" (full mapping); .NET's invariant mapping leaves it alone.
                PreTokenize('i', LegacyUnicodeFlags.None);
                codePoint = 0x307;
                flags = LegacyUnicodeTable.GetFlags(codePoint);
            }
            else
            {
                // Per code point, as Rust does, so astral letters lower-case too and no final-sigma rule applies.
                // Case pairs new in Unicode 16 (e.g. U+1C89) follow .NET's tables, which may lag Rust's; no BERT vocabulary has them.
                int lower = Rune.ToLowerInvariant(new Rune(codePoint)).Value;
                if (lower != codePoint)
                {
                    codePoint = lower;
                    flags = LegacyUnicodeTable.GetFlags(codePoint);
                }
            }
        }
        else if (_lowercase && (uint)(codePoint - 'A') <= 'Z' - 'A')
        {
            codePoint += 'a' - 'A';
        }

        PreTokenize(codePoint, flags);
    }

    // BertPreTokenizer: whitespace ends a word and is dropped; punctuation is a word of its own.
    private void PreTokenize(int codePoint, LegacyUnicodeFlags flags)
    {
        if ((flags & LegacyUnicodeFlags.Whitespace) != 0)
        {
            EndWord();
        }
        else if ((flags & LegacyUnicodeFlags.Punctuation) != 0 || IsAsciiPunctuation(codePoint))
        {
            EndWord();
            AppendToWord(codePoint);
            EndWord();
        }
        else
        {
            AppendToWord(codePoint);
        }
    }

    private static bool IsAsciiPunctuation(int codePoint) =>
        codePoint is (>= 0x21 and <= 0x2F) or (>= 0x3A and <= 0x40) or (>= 0x5B and <= 0x60) or (>= 0x7B and <= 0x7E);

    private void AppendToWord(int codePoint)
    {
        if (_wordCodePoints == 0)
        {
            _wordStart = _charStart;
        }

        _wordEnd = _charEnd;
        // Past the limit the word is [UNK] whatever follows, so only its length is counted.
        if (_wordCodePoints++ < _maxInputCharsPerWord)
        {
            if (codePoint < 0x10000)
            {
                _word[_wordLength++] = (char)codePoint;
            }
            else
            {
                _wordLength += new Rune(codePoint).EncodeToUtf16(_word[_wordLength..]);
            }
        }
    }

    private void EndSegment()
    {
        if (_clusterLength != 0)
        {
            FlushCluster();
        }

        EndWord();
    }

    private void EndWord()
    {
        if (_wordCodePoints == 0)
        {
            return;
        }

        int before = _count;
        if (_wordCodePoints > _maxInputCharsPerWord)
        {
            Emit(_unknownId);
        }
        else
        {
            WordPiece(_word[.._wordLength]);
        }

        RecordWord(before);
        _wordLength = 0;
        _wordCodePoints = 0;
    }

    // Greedy longest-match-first; one piece that cannot be matched makes the whole word [UNK].
    private void WordPiece(ReadOnlySpan<char> word)
    {
        int countBefore = _count;
        bool overflow = false;
        int start = 0;
        while (start < word.Length)
        {
            bool first = start == 0;
            int end = Math.Min(word.Length, start + (first ? _vocabulary.MaxPieceLength : _vocabulary.MaxContinuationLength));
            if (end < word.Length && char.IsLowSurrogate(word[end]))
            {
                end--;
            }

            int id = -1;
            while (end > start)
            {
                ReadOnlySpan<char> piece = word[start..end];
                if (first ? _vocabulary.TryGetId(piece, out id) : _vocabulary.TryGetContinuationId(piece, out id))
                {
                    break;
                }

                id = -1;
                end -= end - start >= 2 && char.IsLowSurrogate(word[end - 1]) ? 2 : 1;
            }

            if (id < 0)
            {
                _idList?.RemoveRange(_listBase + countBefore, _count - countBefore);
                _count = countBefore;
                Emit(_unknownId);
                return;
            }

            if (_count < _capacity)
            {
                Put(id);
            }
            else
            {
                overflow = true;
            }

            start = end;
        }

        if (overflow)
        {
            _truncated = true;
        }
    }

    private void RecordWord(int countBefore)
    {
        if (_words is not null && _count > countBefore)
        {
            _words.Add(new WordSpan(_wordStart, _wordEnd, _count - countBefore));
        }
    }

    private void Put(int id)
    {
        if (_idList is null)
        {
            _ids[++_count] = id;
        }
        else
        {
            _idList.Add(id);
            _count++;
        }
    }

    private void Emit(int id)
    {
        if (_count < _capacity)
        {
            Put(id);
        }
        else
        {
            _truncated = true;
        }
    }
}
