namespace SentenceEmbeddings.Tokenization;

/// <summary>One added token as a tokenizer file declares it.</summary>
/// <param name="Content">The text of the token.</param>
/// <param name="Id">The id of the token, or <see langword="null"/> when the file gives none and the vocabulary must supply it.</param>
/// <param name="Normalized">Whether the token is matched in normalized text rather than raw text.</param>
/// <param name="SingleWord">Whether the token only matches as a whole word.</param>
internal readonly record struct AddedTokenEntry(string Content, int? Id, bool Normalized, bool SingleWord);
