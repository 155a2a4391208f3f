using SentenceEmbeddings.Indexing;
using SentenceEmbeddings.Persistence;

namespace SentenceEmbeddings;

/// <summary>An in-process index of documents embedded as chunks: a search returns the best documents, each scored by its best chunk, with that chunk's text range.</summary>
/// <remarks>
/// <para>Scores are cosine similarities; a document's score is its best chunk's, and ties go to the smaller key (ordinal).</para>
/// <para>Thread safety: as <see cref="VectorIndex"/>: searches run at once, a write waits for them and they never see half a write.</para>
/// </remarks>
public sealed class ChunkIndex : IDisposable
{
    private readonly IndexEngine _engine;

    /// <summary>Initializes an empty index.</summary>
    /// <param name="dimensions">The dimensions of the vectors (384 for all-MiniLM-L6-v2).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is not positive, or an option is out of range.</exception>
    public ChunkIndex(int dimensions, VectorIndexOptions? options = null)
    {
        options ??= new VectorIndexOptions();
        _engine = new IndexEngine(chunked: true, dimensions, options.Encoding, options.MaxDegreeOfParallelism);
    }

    private ChunkIndex(IndexEngine engine) => _engine = engine;

    /// <summary>Gets the dimensions of the vectors.</summary>
    public int Dimensions => _engine.Dimensions;

    /// <summary>Gets how the index keeps the vectors it scans.</summary>
    public VectorEncoding Encoding => _engine.Encoding;

    /// <summary>Gets the number of documents.</summary>
    public int Count => _engine.EntryCount;

    /// <summary>Loads an index saved with <see cref="Save"/>.</summary>
    /// <param name="path">The index file.</param>
    /// <param name="memoryMapped"><see langword="true"/> to keep the vectors in a read-only mapping of the file; <see langword="false"/> to copy them into memory now.</param>
    /// <param name="maxDegreeOfParallelism">How many threads one search may use, or -1 for one per processor.</param>
    /// <returns>The index.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VectorIndexFileException">The file is not an index file, of another format version, truncated, corrupt, or a vector index.</exception>
    public static ChunkIndex Load(string path, bool memoryMapped = false, int maxDegreeOfParallelism = -1) =>
        new(IndexFileReader.Load(path, chunked: true, memoryMapped, maxDegreeOfParallelism));

    /// <summary>Adds a document's chunks, or replaces every chunk of the document with that key.</summary>
    /// <param name="key">The document's key.</param>
    /// <param name="chunks">The chunks: each one's text range and embedding.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="chunks"/> is null.</exception>
    /// <exception cref="ArgumentException">There are no chunks, a range is negative or reversed, or a vector has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public void Add(string key, IReadOnlyList<ChunkVector> chunks)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0)
        {
            throw new ArgumentException($"Document '{key}' has no chunks; give it at least one (an empty text still has one vector).", nameof(chunks));
        }

        float[] units = new float[chunks.Count * Dimensions];
        int[] starts = new int[chunks.Count];
        int[] ends = new int[chunks.Count];
        for (int i = 0; i < chunks.Count; i++)
        {
            ChunkVector chunk = chunks[i] ?? throw new ArgumentNullException($"{nameof(chunks)}[{i}]");
            if (chunk.Start < 0 || chunk.End < chunk.Start)
            {
                throw new ArgumentException($"Chunk {i} of '{key}' has the range [{chunk.Start}, {chunk.End}); a range is [start, end) with 0 <= start <= end.", nameof(chunks));
            }

            _engine.Normalize(chunk.Vector.Span, units.AsSpan(i * Dimensions, Dimensions), $"{nameof(chunks)}[{i}]");
            starts[i] = chunk.Start;
            ends[i] = chunk.End;
        }

        _engine.Upsert(key, units, starts, ends);
    }

    /// <summary>Removes a document and its chunks.</summary>
    /// <param name="key">The document's key.</param>
    /// <returns>Whether the document was in the index.</returns>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _engine.Remove(key);
    }

    /// <summary>Whether a document is in the index.</summary>
    /// <param name="key">The document's key.</param>
    /// <returns><see langword="true"/> when the index has chunks under <paramref name="key"/>.</returns>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _engine.Contains(key);
    }

    /// <summary>Finds the documents whose best chunk is most similar to a query.</summary>
    /// <param name="query">The query embedding.</param>
    /// <param name="top">How many documents to return at most.</param>
    /// <param name="options">The search options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The best documents, best first, each with its best chunk's range; empty when the index is.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or the rescore multiplier is not positive.</exception>
    /// <exception cref="ArgumentException">The query has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public IReadOnlyList<ChunkMatch> Search(ReadOnlySpan<float> query, int top = 10, VectorSearchOptions? options = null)
    {
        options = SearchArguments.Check(top, options);
        float[] unit = new float[Dimensions];
        _engine.Normalize(query, unit, nameof(query));
        return ToMatches(_engine.Search(unit, top, options));
    }

    /// <summary>Finds the best documents for each of many queries in one pass over the index.</summary>
    /// <param name="queries">The query embeddings.</param>
    /// <param name="top">How many documents to return at most per query.</param>
    /// <param name="options">The search options, or <see langword="null"/> for the defaults.</param>
    /// <returns>One list of matches per query, in query order, best first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or the rescore multiplier is not positive.</exception>
    /// <exception cref="ArgumentException">A query has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public IReadOnlyList<IReadOnlyList<ChunkMatch>> SearchBatch(IReadOnlyList<ReadOnlyMemory<float>> queries, int top = 10, VectorSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        options = SearchArguments.Check(top, options);
        float[] units = SearchArguments.NormalizeAll(_engine, queries);
        return Array.ConvertAll(_engine.SearchMany(units, queries.Count, top, options), ToMatches);
    }

    /// <summary>Saves the index to a file (written beside it and renamed, so a reader never sees half a file); writes wait meanwhile.</summary>
    /// <param name="path">The file to write.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path) => IndexFileWriter.Save(_engine, path);

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    private static IReadOnlyList<ChunkMatch> ToMatches(SearchHit[] hits) =>
        Array.ConvertAll(hits, hit => new ChunkMatch { Key = hit.Key, Score = hit.Score, Start = hit.Start, End = hit.End });
}
