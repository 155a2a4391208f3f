namespace SentenceEmbeddings.Cli.Commands;

/// <summary>One input line: its id as raw JSON, its text, and where it was read.</summary>
/// <param name="RawId">The id exactly as written in the input (raw JSON).</param>
/// <param name="Text">The text to embed or tokenize.</param>
/// <param name="LineNumber">The 1-based input line.</param>
internal sealed record InputRecord(string RawId, string Text, int LineNumber);
