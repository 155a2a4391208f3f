using System.Buffers;
using System.Globalization;
using System.Text;

namespace SentenceEmbeddings.Tokenization;

/// <summary>A Unigram language model that segments one pre-tokenized word the way HuggingFace <c>tokenizers</c> does (its optimized Viterbi).</summary>
/// <remarks>
/// Ties between equal-score segmentations keep the first candidate found (positions left to right, shorter pieces first),
/// as the Rust crate does; a character no piece covers becomes the unknown token at the lowest score minus 10, runs of them
/// fuse into one, and with byte fallback an unknown run becomes its UTF-8 bytes' <c>&lt;0xXX&gt;</c> pieces. Immutable, so thread-safe.
/// </remarks>
internal sealed class UnigramModel
{
    // sentencepiece's kUnkPenalty, which the Rust crate copies.
    private const double UnknownPenalty = 10.0;

    private readonly double[] _scores;

    // A trie over UTF-16 units: the root's children by unit (plus one), a deeper node's children in
    // _childUnits/_childNodes[_childStart[node].._childStart[node + 1]], sorted by unit.
    private readonly int[] _rootChildren = new int[char.MaxValue + 1];
    private readonly List<int> _nodeTokens = [-1];
    private readonly int[] _childStart;
    private readonly char[] _childUnits;
    private readonly int[] _childNodes;
    private readonly int[] _byteIds = new int[256];
    private readonly double _unknownScore;

    /// <summary>Initializes a new instance of the <see cref="UnigramModel"/> class.</summary>
    /// <param name="pieces">The vocabulary in id order: each piece and its log probability.</param>
    /// <param name="unknownId">The id of the unknown token.</param>
    /// <param name="byteFallback">Whether unknown text becomes <c>&lt;0xXX&gt;</c> byte pieces when they all exist.</param>
    public UnigramModel(IReadOnlyList<(string Piece, double Score)> pieces, int unknownId, bool byteFallback)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentOutOfRangeException.ThrowIfNegative(unknownId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unknownId, pieces.Count);

        UnknownId = unknownId;
        ByteFallback = byteFallback;
        _scores = new double[pieces.Count];
        double minScore = double.PositiveInfinity;
        var children = new Dictionary<long, int>();
        for (int id = 0; id < pieces.Count; id++)
        {
            (string piece, double score) = pieces[id];
            _scores[id] = score;
            minScore = Math.Min(minScore, score);
            if (piece.Length > 0)
            {
                // A later duplicate wins, as in the Rust crate's token map.
                _nodeTokens[Insert(piece, children)] = id;
            }
        }

        (_childStart, _childUnits, _childNodes) = Compact(children, _nodeTokens.Count);

        _unknownScore = minScore - UnknownPenalty;
        Array.Fill(_byteIds, -1);
        if (byteFallback)
        {
            for (int b = 0; b < 256; b++)
            {
                _byteIds[b] = Find(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"));
            }
        }
    }

    /// <summary>Gets the number of pieces.</summary>
    public int Count => _scores.Length;

    /// <summary>Gets the id of the unknown token.</summary>
    public int UnknownId { get; }

    /// <summary>Gets whether unknown text falls back to byte pieces.</summary>
    public bool ByteFallback { get; }

    /// <summary>Gets the id of a piece.</summary>
    /// <param name="piece">The piece.</param>
    /// <returns>Its id, or -1 when the vocabulary lacks it.</returns>
    public int Find(ReadOnlySpan<char> piece)
    {
        int node = 0;
        foreach (char c in piece)
        {
            node = Child(node, c);
            if (node < 0)
            {
                return -1;
            }
        }

        return _nodeTokens[node];
    }

    /// <summary>Segments one word and writes its ids.</summary>
    /// <param name="word">The word, e.g. <c>▁Hello</c>.</param>
    /// <param name="ids">Receives the ids; needs room for <c>4 * word.Length</c> ids (byte fallback can give four per unit).</param>
    /// <returns>The number of ids written.</returns>
    public int Encode(ReadOnlySpan<char> word, Span<int> ids)
    {
        int n = word.Length;
        if (n == 0)
        {
            return 0;
        }

        double[] best = ArrayPool<double>.Shared.Rent(n + 1);
        int[] from = ArrayPool<int>.Shared.Rent(n + 1);
        int[] token = ArrayPool<int>.Shared.Rent(n + 1);
        try
        {
            from.AsSpan(0, n + 1).Fill(-1);
            best[0] = 0;
            int start = 0;
            while (start < n)
            {
                int width = char.IsHighSurrogate(word[start]) && start + 1 < n && char.IsLowSurrogate(word[start + 1]) ? 2 : 1;
                double sofar = best[start];
                bool hasSingle = false;
                int node = 0;
                for (int end = start; end < n; end++)
                {
                    node = Child(node, word[end]);
                    if (node < 0)
                    {
                        break;
                    }

                    int id = _nodeTokens[node];
                    if (id >= 0)
                    {
                        double candidate = _scores[id] + sofar;
                        if (from[end + 1] < 0 || candidate > best[end + 1])
                        {
                            best[end + 1] = candidate;
                            from[end + 1] = start;
                            token[end + 1] = id;
                        }

                        hasSingle |= end + 1 - start == width;
                    }
                }

                if (!hasSingle)
                {
                    double candidate = _unknownScore + sofar;
                    if (from[start + width] < 0 || candidate > best[start + width])
                    {
                        best[start + width] = candidate;
                        from[start + width] = start;
                        token[start + width] = UnknownId;
                    }
                }

                start += width;
            }

            return Backtrack(word, from, token, ids);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(from);
            ArrayPool<int>.Shared.Return(token);
        }
    }

    // Walks the best path from the end, fusing runs of unknown pieces, and writes the ids in text order.
    private int Backtrack(ReadOnlySpan<char> word, int[] from, int[] token, Span<int> ids)
    {
        int count = 0;
        int end = word.Length;
        while (end > 0)
        {
            int start = from[end];
            if (token[end] != UnknownId)
            {
                ids[count++] = token[end];
                end = start;
                continue;
            }

            int runEnd = end;
            while (start > 0 && token[start] == UnknownId)
            {
                start = from[start];
            }

            count += WriteUnknown(word[start..runEnd], ids[count..]);
            end = start;
        }

        ids[..count].Reverse();
        return count;
    }

    // The Rust crate looks the fused text up again and falls back to bytes or <unk>; ids are written reversed, like the rest.
    private int WriteUnknown(ReadOnlySpan<char> text, Span<int> ids)
    {
        int id = Find(text);
        if (id >= 0)
        {
            ids[0] = id;
            return 1;
        }

        if (ByteFallback)
        {
            Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(text.Length, 256))];
            if (text.Length <= 256)
            {
                int length = Encoding.UTF8.GetBytes(text, utf8);
                bool all = true;
                for (int i = 0; i < length && all; i++)
                {
                    all = _byteIds[utf8[i]] >= 0;
                }

                if (all)
                {
                    for (int i = 0; i < length; i++)
                    {
                        ids[i] = _byteIds[utf8[length - 1 - i]];
                    }

                    return length;
                }
            }
        }

        ids[0] = UnknownId;
        return 1;
    }

    private static (int[] Start, char[] Units, int[] Nodes) Compact(Dictionary<long, int> children, int nodeCount)
    {
        int[] start = new int[nodeCount + 1];
        foreach (long key in children.Keys)
        {
            start[(int)(key >> 16) + 1]++;
        }

        for (int node = 0; node < nodeCount; node++)
        {
            start[node + 1] += start[node];
        }

        char[] units = new char[children.Count];
        int[] nodes = new int[children.Count];
        int[] next = start[..nodeCount];
        foreach ((long key, int child) in children)
        {
            int slot = next[(int)(key >> 16)]++;
            units[slot] = (char)(key & 0xFFFF);
            nodes[slot] = child;
        }

        for (int node = 0; node < nodeCount; node++)
        {
            Array.Sort(units, nodes, start[node], start[node + 1] - start[node]);
        }

        return (start, units, nodes);
    }

    private int Child(int node, char c)
    {
        if (node == 0)
        {
            return _rootChildren[c] - 1;
        }

        int low = _childStart[node];
        int high = _childStart[node + 1] - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            char unit = _childUnits[middle];
            if (unit == c)
            {
                return _childNodes[middle];
            }

            if (unit < c)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    private int Insert(string piece, Dictionary<long, int> children)
    {
        int node = 0;
        foreach (char c in piece)
        {
            int child = node == 0 ? _rootChildren[c] - 1 : children.GetValueOrDefault(((long)node << 16) | c, -1);
            if (child < 0)
            {
                child = _nodeTokens.Count;
                _nodeTokens.Add(-1);
                if (node == 0)
                {
                    _rootChildren[c] = child + 1;
                }
                else
                {
                    children[((long)node << 16) | c] = child;
                }
            }

            node = child;
        }

        return node;
    }
}
