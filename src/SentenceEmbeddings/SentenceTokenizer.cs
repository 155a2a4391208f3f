using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings;

/// <summary>Turns text into the token ids a sentence-transformers model sees: HuggingFace-exact, with special tokens, truncated at the model's maximum length.</summary>
/// <remarks>Loads from a model folder's tokenizer and configuration files alone; no ONNX file is needed. All members are safe for concurrent use.</remarks>
public sealed class SentenceTokenizer
{
    private readonly ISentenceTokenizer _tokenizer;
    private readonly bool _lowerCaseInput;

    internal SentenceTokenizer(ISentenceTokenizer tokenizer, int maxSequenceLength, bool lowerCaseInput, IReadOnlyDictionary<string, string>? prompts = null)
    {
        _tokenizer = tokenizer;
        Prompts = prompts ?? new Dictionary<string, string>(StringComparer.Ordinal);
        MaxSequenceLength = maxSequenceLength;
        _lowerCaseInput = lowerCaseInput;
    }

    /// <summary>Gets the number of tokens, special tokens included, after which a text is truncated.</summary>
    public int MaxSequenceLength { get; }

    /// <summary>Gets the model's prompts by name (<c>config_sentence_transformers.json</c>), each put before a text as it is, e.g. <c>query: </c>.</summary>
    public IReadOnlyDictionary<string, string> Prompts { get; }

    /// <summary>Gets the id that pads shorter sequences in a batch.</summary>
    public int PaddingTokenId => _tokenizer.PadId;

    /// <summary>Gets the number of token ids the tokenizer can emit: its highest id plus one.</summary>
    internal int VocabularySize => _tokenizer.VocabularySize;

    /// <summary>Gets the tokenizer file the vocabulary was read from, for messages.</summary>
    internal string SourcePath => _tokenizer.SourcePath;

    /// <summary>Loads the tokenizer of a sentence-transformers model folder.</summary>
    /// <param name="modelDirectory">The model folder.</param>
    /// <param name="maxSequenceLength">The truncation length, or <see langword="null"/> for the folder's <c>max_seq_length</c>.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The folder or its tokenizer files are missing.</exception>
    /// <exception cref="InvalidModelFileException">A tokenizer or configuration file is malformed or unsupported.</exception>
    public static SentenceTokenizer Load(string modelDirectory, int? maxSequenceLength = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        if (maxSequenceLength is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength, "The maximum length must be at least 2 ([CLS] and [SEP]).");
        }

        return Load(ModelFolder.Read(modelDirectory), maxSequenceLength);
    }

    /// <summary>Tokenizes a text into <paramref name="destination"/> without allocating.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">Receives the ids; at least <see cref="MaxSequenceLength"/> long.</param>
    /// <param name="truncated">Set to <see langword="true"/> when the text had more tokens than fit.</param>
    /// <returns>The number of ids written, special tokens included.</returns>
    public int Tokenize(ReadOnlySpan<char> text, Span<long> destination, out bool truncated)
    {
        if (destination.Length < MaxSequenceLength)
        {
            throw new ArgumentException($"The destination holds {destination.Length} ids; it needs {MaxSequenceLength}.", nameof(destination));
        }

        destination = destination[..MaxSequenceLength];
        if (!_lowerCaseInput)
        {
            return _tokenizer.Encode(text, destination, out truncated);
        }

        // sentence_bert_config.json's do_lower_case: sentence-transformers lower-cases the text before the tokenizer sees it.
        return _tokenizer.Encode(text.ToString().ToLowerInvariant(), destination, out truncated);
    }

    /// <summary>Tokenizes a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token ids, special tokens included, after truncation.</returns>
    public long[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long[] buffer = System.Buffers.ArrayPool<long>.Shared.Rent(MaxSequenceLength);
        try
        {
            int count = Tokenize(text, buffer, out _);
            return buffer[..count];
        }
        finally
        {
            System.Buffers.ArrayPool<long>.Shared.Return(buffer);
        }
    }

    /// <summary>Tokenizes a whole text without special tokens or truncation, with each word's range and token count.</summary>
    /// <param name="text">The text.</param>
    /// <param name="ids">Receives the token ids.</param>
    /// <param name="words">Receives the words.</param>
    internal void EncodeWords(ReadOnlySpan<char> text, List<long> ids, List<WordSpan> words)
    {
        if (!_lowerCaseInput)
        {
            _tokenizer.EncodeWords(text, ids, words);
            return;
        }

        // Invariant lower-casing maps each UTF-16 unit to one, so the words' ranges hold for the caller's text.
        _tokenizer.EncodeWords(text.ToString().ToLowerInvariant(), ids, words);
    }

    /// <summary>Loads the tokenizer of an already read model folder.</summary>
    internal static SentenceTokenizer Load(ModelFolder folder, int? maxSequenceLength) =>
        new(TokenizerLoader.Load(folder.Directory), maxSequenceLength ?? folder.MaxSequenceLength, folder.LowerCaseInput, folder.Prompts);
}
