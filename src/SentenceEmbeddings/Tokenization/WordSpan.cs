namespace SentenceEmbeddings.Tokenization;

/// <summary>One word of a tokenized text: the UTF-16 range it covers and the number of token ids it produced.</summary>
/// <param name="Start">The index of the word's first character in the text.</param>
/// <param name="End">The index just past the word's last character.</param>
/// <param name="TokenCount">The number of token ids the word produced.</param>
internal readonly record struct WordSpan(int Start, int End, int TokenCount);
