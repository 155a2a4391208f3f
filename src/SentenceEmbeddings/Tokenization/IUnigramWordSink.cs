namespace SentenceEmbeddings.Tokenization;

/// <summary>Receives the words of a text from <see cref="UnigramTokenizer"/> in order, with their token ids and original ranges.</summary>
internal interface IUnigramWordSink
{
    /// <summary>Takes one word.</summary>
    /// <param name="ids">The word's token ids.</param>
    /// <param name="start">The index of the word's first UTF-16 unit in the caller's text.</param>
    /// <param name="end">The index after the word's last unit.</param>
    /// <returns><see langword="false"/> to stop tokenizing.</returns>
    bool Add(scoped ReadOnlySpan<int> ids, int start, int end);
}
