using SentenceEmbeddings.Scoring;

namespace SentenceEmbeddings.Indexing;

/// <summary>Turns row scores, read in row order, into entry scores (an entry's rows are contiguous: its best row counts) and keeps the best entries.</summary>
internal sealed class RunCollector
{
    private readonly Func<string, bool>? _filter;
    private readonly List<string> _keys;
    private int _entry = -1;
    private float _best;
    private int _row;

    /// <summary>Initializes a collector that keeps <paramref name="capacity"/> entries.</summary>
    public RunCollector(int capacity, List<string> keys, bool tiesByKey, Func<string, bool>? filter)
    {
        Top = new TopK(capacity, tiesByKey ? keys : null);
        _keys = keys;
        _filter = filter;
    }

    /// <summary>Gets the best entries collected.</summary>
    public TopK Top { get; }

    /// <summary>Reads the scores of consecutive rows starting at <paramref name="firstRow"/>.</summary>
    public void Collect(ReadOnlySpan<float> scores, int firstRow, ReadOnlySpan<int> rowEntries)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            int entry = rowEntries[firstRow + i];
            if (entry < 0)
            {
                continue;
            }

            float score = scores[i];
            if (entry != _entry)
            {
                Flush();
                _entry = entry;
                _best = score;
                _row = firstRow + i;
            }
            else if (score > _best)
            {
                _best = score;
                _row = firstRow + i;
            }
        }
    }

    /// <summary>Offers the entry being read to the selection.</summary>
    public void Flush()
    {
        if (_entry >= 0 && _best >= Top.Threshold && (_filter is null || _filter(_keys[_entry])))
        {
            Top.Add(_best, _entry, _row);
        }

        _entry = -1;
    }
}
