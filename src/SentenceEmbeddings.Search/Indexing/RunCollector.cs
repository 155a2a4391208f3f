using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
            // Every row is its own entry and most fail the threshold: sixteen are tested with one comparison.
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                ref float first = ref MemoryMarshal.GetReference(scores);
                for (; i + Vector512<float>.Count <= scores.Length; i += Vector512<float>.Count)
                {
                    ulong passed = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref first, (nuint)i), Vector512.Create(_threshold)).ExtractMostSignificantBits();
                    while (passed != 0)
                    {
                        int at = i + BitOperations.TrailingZeroCount(passed);
                        passed &= passed - 1;
                        OfferRow(scores[at], firstRow + at, rowEntries);
                    }
                }
            }

            for (; i < scores.Length; i++)
            {
                OfferRow(scores[i], firstRow + i, rowEntries);
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

    private void OfferRow(float score, int row, ReadOnlySpan<int> rowEntries)
    {
        // The threshold may have risen since the row was tested; a removed row's entry is -1.
        int entry;
        if (score >= _threshold && (entry = rowEntries[row]) >= 0)
        {
            Offer(score, entry, row);
        }
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
