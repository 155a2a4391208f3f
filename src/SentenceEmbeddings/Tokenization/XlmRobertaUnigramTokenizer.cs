using Microsoft.ML.Tokenizers;

namespace SentenceEmbeddings.Tokenization;

/// <summary>The fallback XLM-RoBERTa tokenizer for a folder with <c>sentencepiece.bpe.model</c> and no <c>tokenizer.json</c>: SentencePiece's <c>spm_encode</c> ids shifted into fairseq's vocabulary.</summary>
/// <remarks>
/// It follows <c>spm_encode</c> (and so HuggingFace's slow XLMRobertaTokenizer), not the fast tokenizer sentence-transformers
/// runs: <see cref="UnigramTokenizer"/> reads <c>tokenizer.json</c> for that. Segmentation and the model's precompiled (NFKC) normalization are Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>;
/// this class adds fairseq's id layout (<c>&lt;s&gt;</c>=0, <c>&lt;pad&gt;</c>=1, <c>&lt;/s&gt;</c>=2, <c>&lt;unk&gt;</c>=3, every other
/// piece at its SentencePiece id + 1) and HuggingFace's truncation. The instance is immutable, so many threads may call
/// <see cref="Encode"/> at once. Each call allocates the id list and normalized string that Microsoft.ML.Tokenizers returns;
/// 2.0.1 has no overload that writes into a caller's span.
/// </remarks>
internal sealed class XlmRobertaUnigramTokenizer : ISentenceTokenizer
{
    /// <summary>The name of the SentencePiece model file in an XLM-RoBERTa model folder.</summary>
    public const string ModelFileName = "sentencepiece.bpe.model";

    /// <summary>The fairseq id of <c>&lt;s&gt;</c>, written first.</summary>
    public const int BosId = 0;

    /// <summary>The fairseq id of <c>&lt;pad&gt;</c>.</summary>
    public const int PaddingId = 1;

    /// <summary>The fairseq id of <c>&lt;/s&gt;</c>, written last.</summary>
    public const int EosId = 2;

    /// <summary>The fairseq id of <c>&lt;unk&gt;</c>.</summary>
    public const int UnknownId = 3;

    // fairseq put <s> <pad> </s> <unk> first and kept the SentencePiece pieces after them, one place further on.
    private const int FairseqOffset = 1;

    // Texts are encoded in growing prefixes so that a long text is not normalized and segmented past what is kept.
    private const int MinimumPrefixChars = 1024;
    private const int PrefixCharsPerToken = 8;

    private readonly SentencePieceTokenizer _sentencePiece;
    private readonly int _sentencePieceUnknownId;

    private XlmRobertaUnigramTokenizer(SentencePieceTokenizer sentencePiece, string sourcePath)
    {
        _sentencePiece = sentencePiece;
        _sentencePieceUnknownId = sentencePiece.UnknownId;
        SourcePath = sourcePath;

        // The highest id emitted is the last piece's, shifted by fairseq's offset; <mask> is never emitted.
        VocabularySize = sentencePiece.Vocabulary.Count + FairseqOffset;
    }

    /// <inheritdoc/>
    public int PadId => PaddingId;

    /// <inheritdoc/>
    public int VocabularySize { get; }

    /// <inheritdoc/>
    public string SourcePath { get; }

    /// <summary>Loads the tokenizer from a SentencePiece model file.</summary>
    /// <param name="modelPath">The <c>sentencepiece.bpe.model</c> file.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a SentencePiece model that Microsoft.ML.Tokenizers can read.</exception>
    public static XlmRobertaUnigramTokenizer Load(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException(
                $"The SentencePiece model '{modelPath}' does not exist. Download the model's files from its Hugging Face repository into that folder.",
                modelPath);
        }

        using FileStream stream = File.OpenRead(modelPath);
        SentencePieceTokenizer sentencePiece;
        try
        {
            sentencePiece = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or NotSupportedException
            or FormatException or IOException or InvalidDataException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidModelFileException(
                modelPath,
                $"The SentencePiece model '{modelPath}' cannot be read ({exception.Message}). Download it again from the model's repository.",
                exception);
        }

        return new XlmRobertaUnigramTokenizer(sentencePiece, modelPath);
    }

    /// <inheritdoc/>
    public int Encode(ReadOnlySpan<char> text, Span<long> ids, out bool truncated)
    {
        if (ids.Length < 2)
        {
            throw new ArgumentException($"The id span must have room for at least <s> and </s> (2 ids), but its length is {ids.Length}.", nameof(ids));
        }

        // sentence-transformers strips every text with Python's str.strip() first.
        text = PythonWhitespace.Strip(text, out _);
        int maxTextTokens = ids.Length - 2;
        IReadOnlyList<int> pieces = EncodePrefix(text, maxTextTokens);

        ids[0] = BosId;
        int count = 0;
        truncated = false;
        bool previousUnknown = false;
        foreach (int id in pieces)
        {
            bool unknown = id == _sentencePieceUnknownId;
            if (unknown && previousUnknown)
            {
                // SentencePiece (and HuggingFace's Unigram) fuse a run of unknown characters into one <unk>; Microsoft.ML.Tokenizers emits one each.
                continue;
            }

            previousUnknown = unknown;
            if (count == maxTextTokens)
            {
                truncated = true;
                break;
            }

            ids[++count] = unknown ? UnknownId : id + FairseqOffset;
        }

        ids[count + 1] = EosId;
        return count + 2;
    }

    /// <inheritdoc/>
    /// <remarks>A word is a run of non-whitespace characters: the model's Metaspace pre-tokenization puts <c>▁</c> before it and no piece
    /// crosses it, so each word is segmented on its own and its ids are those it gets inside the whole text.</remarks>
    public void EncodeWords(ReadOnlySpan<char> text, List<long> ids, List<WordSpan> words)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(words);
        int position = 0;
        while (position < text.Length)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }

            int start = position;
            while (position < text.Length && !char.IsWhiteSpace(text[position]))
            {
                position++;
            }

            if (position == start)
            {
                break;
            }

            int before = ids.Count;
            bool previousUnknown = false;
            foreach (int id in EncodeWhole(text[start..position]))
            {
                bool unknown = id == _sentencePieceUnknownId;
                if (!(unknown && previousUnknown))
                {
                    ids.Add(unknown ? UnknownId : id + FairseqOffset);
                }

                previousUnknown = unknown;
            }

            if (ids.Count > before)
            {
                words.Add(new WordSpan(start, position, ids.Count - before));
            }
        }
    }

    // Returns the SentencePiece ids of the text, or of a prefix of it with more than maxTextTokens fused ids, which then start the full encoding.
    private IReadOnlyList<int> EncodePrefix(ReadOnlySpan<char> text, int maxTextTokens)
    {
        long window = Math.Max(MinimumPrefixChars, ((long)maxTextTokens + 1) * PrefixCharsPerToken);
        while (window < text.Length)
        {
            int cut = FindSpaceBoundary(text, (int)window);
            if (cut > 0)
            {
                IReadOnlyList<int> prefix = EncodeWhole(text[..cut]);

                // One id more than fits tells truncation apart from an exact fit.
                if (FusedCountExceeds(prefix, maxTextTokens))
                {
                    return prefix;
                }
            }

            window *= 2;
        }

        return EncodeWhole(text);
    }

    private bool FusedCountExceeds(IReadOnlyList<int> pieces, int limit)
    {
        int count = 0;
        for (int i = 0; i < pieces.Count; i++)
        {
            if (pieces[i] != _sentencePieceUnknownId || i == 0 || pieces[i - 1] != _sentencePieceUnknownId)
            {
                if (++count > limit)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Microsoft.ML.Tokenizers' maxTokenCount counts unfused unknown ids, so the prefix is encoded whole and cut here instead.
    private IReadOnlyList<int> EncodeWhole(ReadOnlySpan<char> text) =>
        _sentencePiece.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false, considerPreTokenization: true, considerNormalization: true);

    // The last position at or before end holding a space that follows a non-space character. The model splits pieces at
    // whitespace (no piece holds '▁' after its start), so the ids of the text before such a space are a prefix of the
    // ids of the whole text; 0 when the second half of the window has no such space.
    private static int FindSpaceBoundary(ReadOnlySpan<char> text, int end)
    {
        for (int i = end; i > end / 2; i--)
        {
            if (text[i] == ' ' && !char.IsWhiteSpace(text[i - 1]) && !char.IsSurrogate(text[i - 1]))
            {
                return i;
            }
        }

        return 0;
    }
}
