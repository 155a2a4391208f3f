namespace SentenceEmbeddings.Tokenization;

/// <summary>A WordPiece vocabulary that looks pieces up by span, without allocating.</summary>
/// <remarks>
/// Continuation pieces (<c>##ing</c>) are also kept in a second dictionary without their prefix, so a lookup of the
/// piece after the first never has to build the prefixed string. Both dictionaries are only read after construction,
/// which makes concurrent lookups safe.
/// </remarks>
internal sealed class WordPieceVocabulary
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieces;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;

    /// <summary>Initializes a new instance of the <see cref="WordPieceVocabulary"/> class.</summary>
    /// <param name="tokens">The tokens and their ids; a later duplicate of a token replaces the earlier one, as in HuggingFace.</param>
    /// <param name="continuingSubwordPrefix">The prefix that marks a piece continuing a word, usually <c>##</c>.</param>
    public WordPieceVocabulary(IEnumerable<KeyValuePair<string, int>> tokens, string continuingSubwordPrefix)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(continuingSubwordPrefix);

        var pieces = new Dictionary<string, int>(StringComparer.Ordinal);
        int maxId = -1;
        foreach (KeyValuePair<string, int> token in tokens)
        {
            pieces[token.Key] = token.Value;
            maxId = Math.Max(maxId, token.Value);
        }

        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, int> piece in pieces)
        {
            MaxPieceLength = Math.Max(MaxPieceLength, piece.Key.Length);
            if (piece.Key.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal))
            {
                string rest = piece.Key[continuingSubwordPrefix.Length..];
                continuations[rest] = piece.Value;
                MaxContinuationLength = Math.Max(MaxContinuationLength, rest.Length);
            }
        }

        pieces.TrimExcess();
        continuations.TrimExcess();
        IdCount = maxId + 1;
        _pieces = pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets the highest token id plus one.</summary>
    public int IdCount { get; }

    /// <summary>Gets the length in UTF-16 code units of the longest token, so longer candidates can be skipped.</summary>
    public int MaxPieceLength { get; }

    /// <summary>Gets the length of the longest continuation piece without its prefix.</summary>
    public int MaxContinuationLength { get; }

    /// <summary>Looks up a whole token, or the first piece of a word.</summary>
    /// <param name="piece">The characters of the token.</param>
    /// <param name="id">The id of the token when found.</param>
    /// <returns><see langword="true"/> when the vocabulary has the token.</returns>
    public bool TryGetId(ReadOnlySpan<char> piece, out int id) => _pieces.TryGetValue(piece, out id);

    /// <summary>Looks up a piece that continues a word, as if it were written with the continuation prefix.</summary>
    /// <param name="piece">The characters of the piece without the prefix.</param>
    /// <param name="id">The id of the prefixed token when found.</param>
    /// <returns><see langword="true"/> when the vocabulary has the prefixed token.</returns>
    public bool TryGetContinuationId(ReadOnlySpan<char> piece, out int id) => _continuations.TryGetValue(piece, out id);
}
