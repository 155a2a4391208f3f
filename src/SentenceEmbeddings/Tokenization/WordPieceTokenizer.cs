using System.Buffers;

namespace SentenceEmbeddings.Tokenization;

/// <summary>A BERT WordPiece tokenizer that gives the same ids as HuggingFace <c>tokenizers</c> and allocates nothing per call.</summary>
/// <remarks>
/// It follows the Rust crate's BertNormalizer, BertPreTokenizer and WordPiece model, with added tokens matched in the raw
/// text first, and HuggingFace's truncation of a single sequence. An instance is immutable after loading, so many threads
/// may call <see cref="Encode"/> at once.
/// </remarks>
internal sealed class WordPieceTokenizer : ISentenceTokenizer
{
    // Words are at most MaxInputCharsPerWord code points (two UTF-16 units each); 100 is by far the usual limit.
    private const int WordStackLength = 256;

    private readonly AsciiKind[] _asciiKinds;

    /// <summary>Initializes a new instance of the <see cref="WordPieceTokenizer"/> class.</summary>
    /// <param name="vocabulary">The WordPiece vocabulary.</param>
    /// <param name="normalizerOptions">The BertNormalizer settings.</param>
    /// <param name="addedTokens">The tokens matched in the raw text before normalization.</param>
    /// <param name="maxInputCharsPerWord">The number of code points above which a word becomes one unknown token.</param>
    /// <param name="clsId">The id written before the text.</param>
    /// <param name="sepId">The id written after the text.</param>
    /// <param name="padId">The id of the padding token.</param>
    /// <param name="unknownId">The id of the unknown token.</param>
    /// <param name="vocabularySize">The number of token ids the model knows.</param>
    internal WordPieceTokenizer(
        WordPieceVocabulary vocabulary,
        BertNormalizerOptions normalizerOptions,
        AddedTokenMatcher addedTokens,
        int maxInputCharsPerWord,
        int clsId,
        int sepId,
        int padId,
        int unknownId,
        int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(addedTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(maxInputCharsPerWord);

        Vocabulary = vocabulary;
        NormalizerOptions = normalizerOptions;
        AddedTokens = addedTokens;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        ClsId = clsId;
        SepId = sepId;
        PadId = padId;
        UnknownId = unknownId;
        VocabularySize = vocabularySize;
        _asciiKinds = CreateAsciiKinds(normalizerOptions.CleanText);
    }

    /// <summary>Gets the id of the classification token written first, e.g. <c>[CLS]</c>.</summary>
    public int ClsId { get; }

    /// <summary>Gets the id of the separator token written last, e.g. <c>[SEP]</c>.</summary>
    public int SepId { get; }

    /// <summary>Gets the id of the padding token, e.g. <c>[PAD]</c>.</summary>
    public int PadId { get; }

    /// <summary>Gets the id of the unknown token, e.g. <c>[UNK]</c>.</summary>
    public int UnknownId { get; }

    /// <summary>Gets the number of token ids: the highest id plus one.</summary>
    public int VocabularySize { get; }

    /// <summary>Gets the file the vocabulary was read from (<c>tokenizer.json</c> or <c>vocab.txt</c>), for messages.</summary>
    public string SourcePath { get; init; } = string.Empty;

    /// <summary>Gets the WordPiece vocabulary.</summary>
    internal WordPieceVocabulary Vocabulary { get; }

    /// <summary>Gets the BertNormalizer settings.</summary>
    internal BertNormalizerOptions NormalizerOptions { get; }

    /// <summary>Gets the tokens matched in the raw text before normalization.</summary>
    internal AddedTokenMatcher AddedTokens { get; }

    /// <summary>Gets the number of code points above which a word becomes one unknown token.</summary>
    internal int MaxInputCharsPerWord { get; }

    /// <summary>Gets what normalization and pre-tokenization do with each ASCII character under these settings.</summary>
    internal ReadOnlySpan<AsciiKind> AsciiKinds => _asciiKinds;

    /// <summary>Writes <c>[CLS]</c>, the ids of the text and <c>[SEP]</c> into <paramref name="ids"/>, cutting the text tokens the HuggingFace way when they do not fit.</summary>
    /// <param name="text">The text to tokenize; a lone UTF-16 surrogate counts as U+FFFD, which the normalizer deletes.</param>
    /// <param name="ids">The destination; its length is the maximum sequence length, [CLS] and [SEP] included (at least 2).</param>
    /// <param name="truncated">Set to <see langword="true"/> when the text had more than <c>ids.Length - 2</c> tokens, of which the first <c>ids.Length - 2</c> were kept.</param>
    /// <returns>The number of ids written, at least 2.</returns>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is shorter than 2.</exception>
    public int Encode(ReadOnlySpan<char> text, Span<long> ids, out bool truncated)
    {
        if (ids.Length < 2)
        {
            throw new ArgumentException($"The id span must have room for at least [CLS] and [SEP] (2 ids), but its length is {ids.Length}.", nameof(ids));
        }

        // sentence-transformers strips every text with Python's str.strip() first; the pre-tokenizer ignores edge whitespace anyway.
        return Run(PythonWhitespace.Strip(text, out _), ids, null, null, out truncated);
    }

    /// <inheritdoc/>
    /// <remarks>A word is a pre-token (split at whitespace and punctuation, Chinese characters on their own) with all its <c>##</c> pieces; an added token is a word of its own.</remarks>
    public void EncodeWords(ReadOnlySpan<char> text, List<long> ids, List<WordSpan> words)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(words);

        // Stripped as Encode strips, with the ranges moved back into the caller's text.
        ReadOnlySpan<char> stripped = PythonWhitespace.Strip(text, out int offset);
        int first = words.Count;
        Run(stripped, [], ids, words, out _);
        for (int i = first; offset > 0 && i < words.Count; i++)
        {
            words[i] = words[i] with { Start = words[i].Start + offset, End = words[i].End + offset };
        }
    }

    // Both entry points: the encoder streams into the span, or, with lists, into them with no limit.
    private int Run(ReadOnlySpan<char> text, Span<long> ids, List<long>? idList, List<WordSpan>? words, out bool truncated)
    {
        int wordLength = (2 * MaxInputCharsPerWord) + 2;
        char[]? rentedWord = null;
        Span<char> word = wordLength <= WordStackLength
            ? stackalloc char[WordStackLength]
            : (rentedWord = ArrayPool<char>.Shared.Rent(wordLength));
        Span<char> cluster = stackalloc char[WordPieceEncoder.ClusterScratchLength];

        var encoder = idList is null ? new WordPieceEncoder(this, ids, word, cluster) : new WordPieceEncoder(this, idList, words!, word, cluster);
        try
        {
            return encoder.Encode(text, ClsId, SepId, out truncated);
        }
        finally
        {
            encoder.Dispose();
            if (rentedWord is not null)
            {
                ArrayPool<char>.Shared.Return(rentedWord);
            }
        }
    }

    private static AsciiKind[] CreateAsciiKinds(bool cleanText)
    {
        var kinds = new AsciiKind[128];
        for (int c = 0; c < kinds.Length; c++)
        {
            // Rust's char::is_whitespace for ASCII: '\t', '\n', '\v', '\f', '\r' and ' '.
            bool whitespace = c is (>= 0x09 and <= 0x0D) or 0x20;
            bool control = c < 0x20 || c == 0x7F;
            kinds[c] = c switch
            {
                // clean_text deletes every Cc except '\t', '\n' and '\r' before it maps whitespace to ' ', so '\v' and '\f' go.
                _ when cleanText && control && c is not ('\t' or '\n' or '\r') => AsciiKind.Deleted,
                _ when whitespace => AsciiKind.Whitespace,
                (>= 0x21 and <= 0x2F) or (>= 0x3A and <= 0x40) or (>= 0x5B and <= 0x60) or (>= 0x7B and <= 0x7E) => AsciiKind.Punctuation,
                _ => AsciiKind.Word,
            };
        }

        return kinds;
    }
}
