namespace SentenceEmbeddings.Storage;

/// <summary>Rows of one fixed width, kept in segments of at most <see cref="SegmentRows"/> rows, so an index grows without copying itself whole and is not bound by the length limit of one array.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>A segment is managed memory or a view of a memory-mapped file; the first write to a mapped segment copies every segment into managed memory.</remarks>
internal sealed class SegmentedRows<T>
    where T : unmanaged
{
    /// <summary>log2 of <see cref="SegmentRows"/>.</summary>
    public const int SegmentShift = 16;

    /// <summary>The number of rows in every segment but the last.</summary>
    public const int SegmentRows = 1 << SegmentShift;

    private const int SegmentMask = SegmentRows - 1;
    private const int FirstCapacityRows = 64;

    private readonly List<Memory<T>> _segments = [];
    private int _lastSegmentCapacityRows;
    private bool _mapped;

    /// <summary>Initializes empty rows of the given width.</summary>
    public SegmentedRows(int width) => Width = width;

    /// <summary>Gets the number of elements in a row.</summary>
    public int Width { get; }

    /// <summary>Gets the number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the number of segments.</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>Wraps rows that already lie in memory (a mapped file's view) as read-only segments.</summary>
    public static SegmentedRows<T> FromMemory(int width, int count, Func<long, int, Memory<T>> slice)
    {
        var rows = new SegmentedRows<T>(width) { Count = count, _mapped = true };
        for (long first = 0; first < count; first += SegmentRows)
        {
            int segmentRows = (int)Math.Min(SegmentRows, count - first);
            rows._segments.Add(slice(first * width, segmentRows * width));
            rows._lastSegmentCapacityRows = segmentRows;
        }

        return rows;
    }

    /// <summary>Gets one row.</summary>
    public ReadOnlySpan<T> Row(int row) => _segments[row >> SegmentShift].Span.Slice((row & SegmentMask) * Width, Width);

    /// <summary>Gets the rows of one segment, as many as are in use.</summary>
    public ReadOnlySpan<T> Segment(int segment) =>
        _segments[segment].Span[..(Math.Min(SegmentRows, Count - (segment << SegmentShift)) * Width)];

    /// <summary>Appends a row.</summary>
    public void Append(ReadOnlySpan<T> row)
    {
        EnsureWritable();
        int segment = Count >> SegmentShift;
        int offset = Count & SegmentMask;
        if (segment == _segments.Count)
        {
            // Only the first segment starts small; later ones exist once the index has a full segment already.
            _lastSegmentCapacityRows = segment == 0 ? FirstCapacityRows : SegmentRows;
            _segments.Add(new T[_lastSegmentCapacityRows * Width]);
        }
        else if (offset == _lastSegmentCapacityRows)
        {
            _lastSegmentCapacityRows = Math.Min(SegmentRows, _lastSegmentCapacityRows * 2);
            var grown = new T[_lastSegmentCapacityRows * Width];
            _segments[segment].CopyTo(grown);
            _segments[segment] = grown;
        }

        row.CopyTo(_segments[segment].Span.Slice(offset * Width, Width));
        Count++;
    }

    /// <summary>Overwrites a row.</summary>
    public void Set(int row, ReadOnlySpan<T> values)
    {
        EnsureWritable();
        values.CopyTo(_segments[row >> SegmentShift].Span.Slice((row & SegmentMask) * Width, Width));
    }

    /// <summary>Drops the rows from <paramref name="count"/> on.</summary>
    public void Truncate(int count)
    {
        EnsureWritable();
        Count = count;
    }

    /// <summary>Copies every mapped segment into managed memory, so that the rows can change and the mapping can go.</summary>
    public void EnsureWritable()
    {
        if (!_mapped)
        {
            return;
        }

        for (int i = 0; i < _segments.Count; i++)
        {
            _segments[i] = _segments[i].ToArray();
        }

        _mapped = false;
    }
}
