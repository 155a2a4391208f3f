namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>One item of a golden reference file.</summary>
/// <param name="Id">The item's stable id, e.g. <c>pub-001</c>.</param>
/// <param name="Text">The input text.</param>
/// <param name="TokenIds">The expected ids after truncation, [CLS] and [SEP] included.</param>
/// <param name="Truncated">Whether the text had more tokens than the maximum length.</param>
internal sealed record GoldenItem(string Id, string Text, long[] TokenIds, bool Truncated);
