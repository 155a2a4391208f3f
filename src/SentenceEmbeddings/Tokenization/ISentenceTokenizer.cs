namespace SentenceEmbeddings.Tokenization;

/// <summary>A tokenizer that writes a model's ids for one text, special tokens included, truncated the HuggingFace way.</summary>
/// <remarks>Implementations are immutable after loading, so many threads may call <see cref="Encode"/> at once.</remarks>
internal interface ISentenceTokenizer
{
    /// <summary>Gets the id of the padding token.</summary>
    int PadId { get; }

    /// <summary>Gets the number of token ids the tokenizer can emit: its highest id plus one.</summary>
    int VocabularySize { get; }

    /// <summary>Gets the file the vocabulary was read from, for messages.</summary>
    string SourcePath { get; }

    /// <summary>Writes the start token, the ids of the text and the end token into <paramref name="ids"/>, keeping the first <c>ids.Length - 2</c> text tokens when they do not all fit.</summary>
    /// <param name="text">The text to tokenize.</param>
    /// <param name="ids">The destination; its length is the maximum sequence length, special tokens included (at least 2).</param>
    /// <param name="truncated">Set to <see langword="true"/> when the text had more tokens than fit.</param>
    /// <returns>The number of ids written, at least 2.</returns>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is shorter than 2.</exception>
    int Encode(ReadOnlySpan<char> text, Span<long> ids, out bool truncated);

    /// <summary>Tokenizes a whole text without special tokens or truncation, and tells which part of the text each word's tokens came from.</summary>
    /// <param name="text">The text, exactly as the caller gave it (ranges are UTF-16 indices into it).</param>
    /// <param name="ids">Receives the text's token ids in order.</param>
    /// <param name="words">Receives one entry per word, in order: its range in <paramref name="text"/> and how many of <paramref name="ids"/> it produced.</param>
    void EncodeWords(ReadOnlySpan<char> text, List<long> ids, List<WordSpan> words);
}
