using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using SentenceEmbeddings.Scoring;
using SentenceEmbeddings.Storage;

namespace SentenceEmbeddings.Indexing;

/// <summary>The rows and entries behind <see cref="VectorIndex"/> and <see cref="ChunkIndex"/>: unit vectors with their compact codes, grouped into keyed entries whose rows are contiguous.</summary>
/// <remarks>
/// Thread safety: one reader/writer lock. Searches share it; a write waits for the searches in flight and new searches
/// wait for a waiting write, so a search sees the index before or after a write, never in between. Removed rows become
/// tombstones (entry -1), compacted once they are a quarter of the rows.
/// </remarks>
internal sealed class IndexEngine : IDisposable
{
    /// <summary>Rows from which one search is split across threads.</summary>
    internal const int ParallelRows = 32_768;

    private const int BlockRows = 1024;
    // 16 rows (24 KB at 384 dimensions) stay in L1 while the tile's queries stream past them from L2.
    private const int ManyQueryBlockRows = 16;
    private const int ManyQueryTile = 64;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private IDisposable? _mapping;

    /// <summary>Initializes an empty engine.</summary>
    public IndexEngine(bool chunked, int dimensions, VectorEncoding encoding, int maxDegreeOfParallelism)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "An index needs vectors of at least one dimension (384 for all-MiniLM-L6-v2).");
        }

        if (!Enum.IsDefined(encoding))
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Use VectorEncoding.Float32, Int8 or Binary.");
        }

        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use a positive thread count, or -1 for one per processor.");
        }

        Chunked = chunked;
        Dimensions = dimensions;
        Encoding = encoding;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        Vectors = new SegmentedRows<float>(dimensions);
        if (encoding == VectorEncoding.Int8)
        {
            Int8Codes = new SegmentedRows<sbyte>(dimensions);
            Int8Scales = new SegmentedRows<float>(1);
        }
        else if (encoding == VectorEncoding.Binary)
        {
            Bits = new SegmentedRows<ulong>(BinaryCodec.WordCount(dimensions));
        }
    }

    /// <summary>Gets whether entries have many rows with text ranges (a chunk index).</summary>
    public bool Chunked { get; }

    /// <summary>Gets the vectors' dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the scanned encoding.</summary>
    public VectorEncoding Encoding { get; }

    /// <summary>Gets the thread limit of one search.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>Gets the number of entries.</summary>
    public int EntryCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return Keys.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    // The state below is read and filled by Persistence/IndexFile under no lock: only while the engine is not shared.
    internal SegmentedRows<float> Vectors { get; set; }

    internal SegmentedRows<sbyte>? Int8Codes { get; set; }

    internal SegmentedRows<float>? Int8Scales { get; set; }

    internal SegmentedRows<ulong>? Bits { get; set; }

    internal List<int> RowEntries { get; } = [];

    internal List<int> RowStarts { get; } = [];

    internal List<int> RowEnds { get; } = [];

    internal List<string> Keys { get; } = [];

    internal List<int> EntryFirstRows { get; } = [];

    internal List<int> EntryRowCounts { get; } = [];

    internal Dictionary<string, int> EntryByKey { get; } = new(StringComparer.Ordinal);

    internal int DeadRows { get; private set; }

    /// <summary>Keeps a memory mapping alive as long as the engine (its rows may point into it).</summary>
    internal void AttachMapping(IDisposable mapping) => _mapping = mapping;

    /// <summary>Checks a vector and writes it, scaled to unit length, to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The vector has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public void Normalize(ReadOnlySpan<float> vector, Span<float> destination, string parameterName)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"The vector has {vector.Length} dimensions; this index holds {Dimensions}-dimension vectors. Embed with the model the index was built with.", parameterName);
        }

        float norm = TensorPrimitives.Norm(vector);
        if (!float.IsFinite(norm))
        {
            int bad = IndexOfNonFinite(vector);
            throw new ArgumentException($"The vector has a NaN or infinite component (at {bad}); embeddings are finite.", parameterName);
        }

        if (norm == 0)
        {
            throw new ArgumentException("The vector is all zeros; its cosine similarity to anything is undefined.", parameterName);
        }

        TensorPrimitives.Divide(vector, norm, destination);
    }

    /// <summary>Adds an entry, or replaces the rows of the entry with that key.</summary>
    /// <param name="key">The entry's key.</param>
    /// <param name="rows">The entry's unit vectors, one after another.</param>
    /// <param name="starts">The rows' range starts (chunk index only).</param>
    /// <param name="ends">The rows' range ends (chunk index only).</param>
    public void Upsert(string key, ReadOnlySpan<float> rows, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends)
    {
        int rowCount = rows.Length / Dimensions;
        sbyte[]? codes = Int8Codes is null ? null : ArrayPool<sbyte>.Shared.Rent(Dimensions);
        ulong[]? bits = Bits is null ? null : ArrayPool<ulong>.Shared.Rent(Bits.Width);
        _lock.EnterWriteLock();
        try
        {
            bool exists = EntryByKey.TryGetValue(key, out int entry);
            if (exists && EntryRowCounts[entry] == rowCount)
            {
                int first = EntryFirstRows[entry];
                for (int i = 0; i < rowCount; i++)
                {
                    WriteRow(first + i, entry, rows.Slice(i * Dimensions, Dimensions), starts, ends, i, codes, bits);
                }

                return;
            }

            if (exists)
            {
                Bury(entry);
            }
            else
            {
                entry = Keys.Count;
                Keys.Add(key);
                EntryFirstRows.Add(0);
                EntryRowCounts.Add(0);
                EntryByKey.Add(key, entry);
            }

            EntryFirstRows[entry] = RowEntries.Count;
            EntryRowCounts[entry] = rowCount;
            for (int i = 0; i < rowCount; i++)
            {
                WriteRow(-1, entry, rows.Slice(i * Dimensions, Dimensions), starts, ends, i, codes, bits);
            }

            CompactIfWorthIt();
        }
        finally
        {
            _lock.ExitWriteLock();
            if (codes is not null)
            {
                ArrayPool<sbyte>.Shared.Return(codes);
            }

            if (bits is not null)
            {
                ArrayPool<ulong>.Shared.Return(bits);
            }
        }
    }

    /// <summary>Removes the entry with that key.</summary>
    /// <returns>Whether there was one.</returns>
    public bool Remove(string key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!EntryByKey.Remove(key, out int entry))
            {
                return false;
            }

            Bury(entry);

            // The last entry takes the removed one's place, so entry ids stay dense.
            int last = Keys.Count - 1;
            if (entry != last)
            {
                Keys[entry] = Keys[last];
                EntryFirstRows[entry] = EntryFirstRows[last];
                EntryRowCounts[entry] = EntryRowCounts[last];
                EntryByKey[Keys[entry]] = entry;
                Span<int> rowEntries = CollectionsMarshal.AsSpan(RowEntries);
                rowEntries.Slice(EntryFirstRows[entry], EntryRowCounts[entry]).Fill(entry);
            }

            Keys.RemoveAt(last);
            EntryFirstRows.RemoveAt(last);
            EntryRowCounts.RemoveAt(last);
            CompactIfWorthIt();
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Whether an entry with that key exists.</summary>
    public bool Contains(string key)
    {
        _lock.EnterReadLock();
        try
        {
            return EntryByKey.ContainsKey(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Runs <paramref name="action"/> with the index unchanged for its duration (saving).</summary>
    public void WithWriteLock(Action action)
    {
        _lock.EnterWriteLock();
        try
        {
            Compact();
            action();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Finds the best <paramref name="top"/> entries for one unit query.</summary>
    public SearchHit[] Search(ReadOnlySpan<float> query, int top, VectorSearchOptions options)
    {
        _lock.EnterReadLock();
        try
        {
            return SearchLocked(query, top, options, parallel: true);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Finds the best <paramref name="top"/> entries for each of many unit queries (one after another in <paramref name="queries"/>).</summary>
    public SearchHit[][] SearchMany(float[] queries, int queryCount, int top, VectorSearchOptions options)
    {
        _lock.EnterReadLock();
        try
        {
            var results = new SearchHit[queryCount][];
            if (Encoding != VectorEncoding.Float32 || Keys.Count == 0)
            {
                // Compact codes are cheap to stream: one scan per query, the queries spread over the threads.
                Parallel.For(0, queryCount, ParallelOptionsFor(queryCount), q =>
                    results[q] = SearchLocked(queries.AsSpan(q * Dimensions, Dimensions), top, options, parallel: false));
                return results;
            }

            for (int first = 0; first < queryCount; first += ManyQueryTile)
            {
                int count = Math.Min(ManyQueryTile, queryCount - first);
                SearchTileLocked(queries.AsSpan(first * Dimensions, count * Dimensions), count, top, options, results.AsSpan(first, count));
            }

            return results;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mapping?.Dispose();
        _mapping = null;
        _lock.Dispose();
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private void WriteRow(int row, int entry, ReadOnlySpan<float> vector, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, int i, sbyte[]? codes, ulong[]? bits)
    {
        bool append = row < 0;
        if (append)
        {
            row = RowEntries.Count;
            Vectors.Append(vector);
            RowEntries.Add(entry);
            if (Chunked)
            {
                RowStarts.Add(starts[i]);
                RowEnds.Add(ends[i]);
            }
        }
        else
        {
            Vectors.Set(row, vector);
            if (Chunked)
            {
                RowStarts[row] = starts[i];
                RowEnds[row] = ends[i];
            }
        }

        if (Int8Codes is not null)
        {
            Span<sbyte> code = codes.AsSpan(0, Dimensions);
            float scale = Int8Codec.Encode(vector, code);
            if (append)
            {
                Int8Codes.Append(code);
                Int8Scales!.Append([scale]);
            }
            else
            {
                Int8Codes.Set(row, code);
                Int8Scales!.Set(row, [scale]);
            }
        }

        if (Bits is not null)
        {
            Span<ulong> word = bits.AsSpan(0, Bits.Width);
            BinaryCodec.Encode(vector, word);
            if (append)
            {
                Bits.Append(word);
            }
            else
            {
                Bits.Set(row, word);
            }
        }
    }

    private void Bury(int entry)
    {
        Span<int> rowEntries = CollectionsMarshal.AsSpan(RowEntries);
        rowEntries.Slice(EntryFirstRows[entry], EntryRowCounts[entry]).Fill(-1);
        DeadRows += EntryRowCounts[entry];
    }

    private void CompactIfWorthIt()
    {
        if (DeadRows > 1024 && DeadRows * 4 > RowEntries.Count)
        {
            Compact();
        }
    }

    private void Compact()
    {
        if (DeadRows == 0)
        {
            return;
        }

        int written = 0;
        int previous = -1;
        for (int row = 0; row < RowEntries.Count; row++)
        {
            int entry = RowEntries[row];
            if (entry < 0)
            {
                continue;
            }

            if (written != row)
            {
                Vectors.Set(written, Vectors.Row(row));
                Int8Codes?.Set(written, Int8Codes.Row(row));
                Int8Scales?.Set(written, Int8Scales.Row(row));
                Bits?.Set(written, Bits.Row(row));
                RowEntries[written] = entry;
                if (Chunked)
                {
                    RowStarts[written] = RowStarts[row];
                    RowEnds[written] = RowEnds[row];
                }
            }

            if (entry != previous)
            {
                EntryFirstRows[entry] = written;
                previous = entry;
            }

            written++;
        }

        Vectors.Truncate(written);
        Int8Codes?.Truncate(written);
        Int8Scales?.Truncate(written);
        Bits?.Truncate(written);
        RowEntries.RemoveRange(written, RowEntries.Count - written);
        if (Chunked)
        {
            RowStarts.RemoveRange(written, RowStarts.Count - written);
            RowEnds.RemoveRange(written, RowEnds.Count - written);
        }

        DeadRows = 0;
    }

    private ParallelOptions ParallelOptionsFor(int work) => new()
    {
        MaxDegreeOfParallelism = Math.Min(work, MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism),
    };

    /// <summary>Splits the rows into one range per thread, each starting where an entry starts.</summary>
    private int[] Partitions(bool parallel)
    {
        int rows = RowEntries.Count;
        int threads = MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;
        int parts = parallel && rows >= ParallelRows ? Math.Max(1, Math.Min(threads, rows / (ParallelRows / 2))) : 1;
        var bounds = new int[parts + 1];
        bounds[parts] = rows;
        for (int p = 1; p < parts; p++)
        {
            int bound = (int)((long)rows * p / parts);
            while (bound < rows && RowEntries[bound] >= 0 && RowEntries[bound] == RowEntries[bound - 1])
            {
                bound++;
            }

            bounds[p] = Math.Max(bound, bounds[p - 1]);
        }

        return bounds;
    }

    private SearchHit[] SearchLocked(ReadOnlySpan<float> query, int top, VectorSearchOptions options, bool parallel)
    {
        if (Keys.Count == 0)
        {
            return [];
        }

        bool compact = Encoding != VectorEncoding.Float32;
        bool rescore = compact && options.RescoreMultiplier > 0;
        int candidates = (int)Math.Min(Keys.Count, rescore ? (long)top * options.RescoreMultiplier : top);
        float[] queryCopy = query.ToArray();
        ulong[]? queryBits = null;
        if (Bits is not null)
        {
            queryBits = new ulong[Bits.Width];
            BinaryCodec.Encode(query, queryBits);
        }

        int[] bounds = Partitions(parallel);
        var collectors = new RunCollector[bounds.Length - 1];
        Parallel.For(0, collectors.Length, ParallelOptionsFor(collectors.Length), p =>
        {
            var collector = new RunCollector(candidates, Keys, tiesByKey: !compact, options.Filter, oneRowPerEntry: !Chunked);
            ScanRows(queryCopy, queryBits, bounds[p], bounds[p + 1], collector);
            collectors[p] = collector;
        });

        var candidateTop = new TopK(candidates, compact ? null : Keys);
        foreach (RunCollector collector in collectors)
        {
            candidateTop.AddAll(collector.Top);
        }

        var merged = new TopK(top, Keys);
        if (rescore)
        {
            foreach ((float _, int entry, int _) in candidateTop.ToSortedArray())
            {
                (float score, int row) = BestRow(queryCopy, entry);
                merged.Add(score, entry, row);
            }
        }
        else
        {
            merged.AddAll(candidateTop);
        }

        return ToHits(merged);
    }

    private void SearchTileLocked(ReadOnlySpan<float> queries, int queryCount, int top, VectorSearchOptions options, Span<SearchHit[]> results)
    {
        float[] tile = queries.ToArray();
        int candidates = Math.Min(Keys.Count, top);
        int[] bounds = Partitions(parallel: true);
        var collectors = new RunCollector[bounds.Length - 1][];
        Parallel.For(0, collectors.Length, ParallelOptionsFor(collectors.Length), p =>
        {
            var mine = new RunCollector[queryCount];
            for (int q = 0; q < queryCount; q++)
            {
                mine[q] = new RunCollector(candidates, Keys, tiesByKey: true, options.Filter, oneRowPerEntry: !Chunked);
            }

            float[] scores = ArrayPool<float>.Shared.Rent(queryCount * ManyQueryBlockRows);
            try
            {
                ReadOnlySpan<int> rowEntries = CollectionsMarshal.AsSpan(RowEntries);
                for (int row = bounds[p]; row < bounds[p + 1];)
                {
                    int segment = row >> SegmentedRows<float>.SegmentShift;
                    int segmentEnd = Math.Min(bounds[p + 1], (segment + 1) << SegmentedRows<float>.SegmentShift);
                    ReadOnlySpan<float> rows = Vectors.Segment(segment);
                    int local = row - (segment << SegmentedRows<float>.SegmentShift);
                    for (; row < segmentEnd; row += ManyQueryBlockRows, local += ManyQueryBlockRows)
                    {
                        int n = Math.Min(ManyQueryBlockRows, segmentEnd - row);
                        FloatKernels.ScoreMany(tile, queryCount, rows.Slice(local * Dimensions, n * Dimensions), n, scores);
                        for (int q = 0; q < queryCount; q++)
                        {
                            mine[q].Collect(scores.AsSpan(q * n, n), row, rowEntries);
                        }
                    }

                    row = segmentEnd;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }

            foreach (RunCollector collector in mine)
            {
                collector.Flush();
            }

            collectors[p] = mine;
        });

        for (int q = 0; q < queryCount; q++)
        {
            var merged = new TopK(top, Keys);
            foreach (RunCollector[] part in collectors)
            {
                merged.AddAll(part[q].Top);
            }

            results[q] = ToHits(merged);
        }
    }

    private void ScanRows(float[] query, ulong[]? queryBits, int from, int to, RunCollector collector)
    {
        float[] scores = ArrayPool<float>.Shared.Rent(BlockRows);
        try
        {
            ReadOnlySpan<int> rowEntries = CollectionsMarshal.AsSpan(RowEntries);
            for (int row = from; row < to;)
            {
                int segment = row >> SegmentedRows<float>.SegmentShift;
                int segmentEnd = Math.Min(to, (segment + 1) << SegmentedRows<float>.SegmentShift);
                int local = row - (segment << SegmentedRows<float>.SegmentShift);
                for (; row < segmentEnd; row += BlockRows, local += BlockRows)
                {
                    int n = Math.Min(BlockRows, segmentEnd - row);
                    Span<float> block = scores.AsSpan(0, n);
                    ScoreBlock(query, queryBits, segment, local, block);
                    collector.Collect(block, row, rowEntries);
                }

                row = segmentEnd;
            }

            collector.Flush();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private void ScoreBlock(float[] query, ulong[]? queryBits, int segment, int local, Span<float> scores)
    {
        int n = scores.Length;
        switch (Encoding)
        {
            case VectorEncoding.Float32:
                FloatKernels.Score(query, Vectors.Segment(segment).Slice(local * Dimensions, n * Dimensions), scores);
                break;
            case VectorEncoding.Int8:
                ReadOnlySpan<sbyte> codes = Int8Codes!.Segment(segment).Slice(local * Dimensions, n * Dimensions);
                ReadOnlySpan<float> scales = Int8Scales!.Segment(segment).Slice(local, n);
                for (int i = 0; i < n; i++)
                {
                    scores[i] = scales[i] * Int8Codec.Dot(query, codes.Slice(i * Dimensions, Dimensions));
                }

                break;
            default:
                int words = Bits!.Width;
                BinaryCodec.Score(queryBits, Bits.Segment(segment).Slice(local * words, n * words), scores, Dimensions);
                break;
        }
    }

    private (float Score, int Row) BestRow(float[] query, int entry)
    {
        int first = EntryFirstRows[entry];
        float best = float.NegativeInfinity;
        int bestRow = first;
        for (int row = first; row < first + EntryRowCounts[entry]; row++)
        {
            float score = FloatKernels.Dot(query, Vectors.Row(row));
            if (score > best)
            {
                best = score;
                bestRow = row;
            }
        }

        return (best, bestRow);
    }

    private SearchHit[] ToHits(TopK top)
    {
        (float Score, int Entry, int Row)[] sorted = top.ToSortedArray();
        var hits = new SearchHit[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            (float score, int entry, int row) = sorted[i];
            hits[i] = Chunked
                ? new SearchHit(Keys[entry], score, RowStarts[row], RowEnds[row])
                : new SearchHit(Keys[entry], score, 0, 0);
        }

        return hits;
    }
}
