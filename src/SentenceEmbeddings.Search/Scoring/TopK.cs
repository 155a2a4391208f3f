namespace SentenceEmbeddings.Scoring;

/// <summary>The best <see cref="Capacity"/> entries seen so far, as a min-heap whose root is the worst kept; ties go to the smaller key (ordinal) or, without keys, the smaller entry id.</summary>
internal sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _entries;
    private readonly int[] _rows;
    private readonly List<string>? _keys;

    /// <summary>Initializes an empty selection.</summary>
    /// <param name="capacity">How many entries to keep.</param>
    /// <param name="keys">The entries' keys to break ties with, or <see langword="null"/> to break them by entry id.</param>
    public TopK(int capacity, List<string>? keys)
    {
        Capacity = capacity;
        _scores = new float[capacity];
        _entries = new int[capacity];
        _rows = new int[capacity];
        _keys = keys;
    }

    /// <summary>Gets how many entries are kept at most.</summary>
    public int Capacity { get; }

    /// <summary>Gets how many entries are kept now.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the score a candidate must reach to be considered: the worst kept score once full.</summary>
    public float Threshold => Count < Capacity ? float.NegativeInfinity : _scores[0];

    /// <summary>Offers an entry with its score and best row.</summary>
    public void Add(float score, int entry, int row)
    {
        if (Count < Capacity)
        {
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!IsWorse(score, entry, _scores[parent], _entries[parent]))
                {
                    break;
                }

                Move(parent, i);
                i = parent;
            }

            Put(i, score, entry, row);
            return;
        }

        if (IsWorse(score, entry, _scores[0], _entries[0]))
        {
            return;
        }

        SiftDown(score, entry, row);
    }

    /// <summary>Offers every entry another selection kept.</summary>
    public void AddAll(TopK other)
    {
        for (int i = 0; i < other.Count; i++)
        {
            Add(other._scores[i], other._entries[i], other._rows[i]);
        }
    }

    /// <summary>Returns the kept entries, best first.</summary>
    public (float Score, int Entry, int Row)[] ToSortedArray()
    {
        var result = new (float Score, int Entry, int Row)[Count];
        for (int i = 0; i < Count; i++)
        {
            result[i] = (_scores[i], _entries[i], _rows[i]);
        }

        Array.Sort(result, (a, b) => IsWorse(a.Score, a.Entry, b.Score, b.Entry) ? 1 : IsWorse(b.Score, b.Entry, a.Score, a.Entry) ? -1 : 0);
        return result;
    }

    private bool IsWorse(float score, int entry, float otherScore, int otherEntry) =>
        score < otherScore || (score == otherScore && TieAfter(entry, otherEntry));

    private bool TieAfter(int entry, int otherEntry) =>
        _keys is null ? entry > otherEntry : string.CompareOrdinal(_keys[entry], _keys[otherEntry]) > 0;

    private void SiftDown(float score, int entry, int row)
    {
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && IsWorse(_scores[child + 1], _entries[child + 1], _scores[child], _entries[child]))
            {
                child++;
            }

            if (!IsWorse(_scores[child], _entries[child], score, entry))
            {
                break;
            }

            Move(child, i);
            i = child;
        }

        Put(i, score, entry, row);
    }

    private void Move(int from, int to)
    {
        _scores[to] = _scores[from];
        _entries[to] = _entries[from];
        _rows[to] = _rows[from];
    }

    private void Put(int i, float score, int entry, int row)
    {
        _scores[i] = score;
        _entries[i] = entry;
        _rows[i] = row;
    }
}
