using System.Buffers;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Finds added (special) tokens such as <c>[SEP]</c> in raw text, leftmost-longest and case-sensitive, as HuggingFace does before normalizing.</summary>
internal sealed class AddedTokenMatcher
{
    private readonly SearchValues<char> _firstChars;

    // Tokens grouped by their first character, longest first, so the first hit at a position is the longest one.
    private readonly Dictionary<char, KeyValuePair<string, int>[]> _byFirstChar;

    /// <summary>Initializes a new instance of the <see cref="AddedTokenMatcher"/> class.</summary>
    /// <param name="tokens">The token strings and their ids; empty strings are ignored and a later duplicate replaces an earlier one.</param>
    public AddedTokenMatcher(IEnumerable<KeyValuePair<string, int>> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);

        var unique = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, int> token in tokens)
        {
            if (token.Key.Length > 0)
            {
                unique[token.Key] = token.Value;
            }
        }

        _byFirstChar = unique
            .GroupBy(token => token.Key[0])
            .ToDictionary(
                group => group.Key,
                group => group.OrderByDescending(token => token.Key.Length).ThenBy(token => token.Key, StringComparer.Ordinal).ToArray());
        _firstChars = SearchValues.Create([.. _byFirstChar.Keys.Order()]);
        Tokens = unique;
    }

    /// <summary>Gets the tokens this matcher finds, with their ids (the Unigram tokenizer sizes its vocabulary with them).</summary>
    public IReadOnlyDictionary<string, int> Tokens { get; }

    /// <summary>Gets a value indicating whether there are no tokens to find.</summary>
    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Finds the leftmost token that starts in <c>text[start..limit]</c>; at that position the longest token wins.</summary>
    /// <param name="text">The whole text; a token that starts before <paramref name="limit"/> may end after it.</param>
    /// <param name="start">The first position to look at.</param>
    /// <param name="limit">The position after the last one to look at; bounding it keeps the search proportional to what is read.</param>
    /// <param name="index">The position of the token found.</param>
    /// <param name="length">The length of the token found.</param>
    /// <param name="id">The id of the token found.</param>
    /// <returns><see langword="true"/> when a token starts in the range.</returns>
    public bool TryFind(ReadOnlySpan<char> text, int start, int limit, out int index, out int length, out int id)
    {
        int position = start;
        while (position < limit)
        {
            int offset = text[position..limit].IndexOfAny(_firstChars);
            if (offset < 0)
            {
                break;
            }

            position += offset;
            ReadOnlySpan<char> rest = text[position..];
            foreach (KeyValuePair<string, int> token in _byFirstChar[text[position]])
            {
                if (rest.StartsWith(token.Key, StringComparison.Ordinal))
                {
                    index = position;
                    length = token.Key.Length;
                    id = token.Value;
                    return true;
                }
            }

            position++;
        }

        index = -1;
        length = 0;
        id = -1;
        return false;
    }
}
