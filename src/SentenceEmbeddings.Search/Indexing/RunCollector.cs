using SentenceEmbeddings.Scoring;

namespace SentenceEmbeddings.Indexing;

/// <summary>Turns row scores, read in row order, into entry scores (an entry's rows are contiguous: its best row counts) and keeps the best entries.</summary>
internal sealed class RunCollector
{
    private readonly Func<string, bool>? _filter;
    private readonly List<string> _keys;
    private readonly bool _oneRowPerEntry;
    private float _threshold = float.NegativeInfinity;
    private int _entry = -1;
    private float _best;
    private int _row;

    /// <summary>Initializes a collector that keeps <paramref name="capacity"/> entries.</summary>
    public RunCollector(int capacity, List<string> keys, bool tiesByKey, Func<string, bool>? filter, bool oneRowPerEntry)
    {
        _oneRowPerEntry = oneRowPerEntry;
        Top = new TopK(capacity, tiesByKey ? keys : null);
        _keys = keys;
        _filter = filter;
    }

    /// <summary>Gets the best entries collected.</summary>
    public TopK Top { get; }

    /// <summary>Reads the scores of consecutive rows starting at <paramref name="firstRow"/>.</summary>
    public void Collect(ReadOnlySpan<float> scores, int firstRow, ReadOnlySpan<int> rowEntries)
    {
        if (_oneRowPerEntry)
        {
            // Every row is its own entry: most rows fail the threshold test and cost one comparison.
            for (int i = 0; i < scores.Length; i++)
            {
                float score = scores[i];
                int entry;
                if (score >= _threshold && (entry = rowEntries[firstRow + i]) >= 0)
                {
                    Offer(score, entry, firstRow + i);
                }
            }

            return;
        }

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
        if (_entry >= 0 && _best >= _threshold)
        {
            Offer(_best, _entry, _row);
        }

        _entry = -1;
    }

    private void Offer(float score, int entry, int row)
    {
        if (_filter is null || _filter(_keys[entry]))
        {
            Top.Add(score, entry, row);
            _threshold = Top.Threshold;
        }
    }
}
