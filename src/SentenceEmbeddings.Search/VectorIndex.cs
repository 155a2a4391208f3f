using System.Buffers;
using SentenceEmbeddings.Indexing;
using SentenceEmbeddings.Persistence;

namespace SentenceEmbeddings;

/// <summary>An in-process index of keyed embeddings with exact or compact (int8, binary) top-K search by cosine similarity.</summary>
/// <remarks>
/// <para>Vectors are stored scaled to unit length, so scores are cosine similarities. Ties go to the smaller key (ordinal).</para>
/// <para>Thread safety: any number of searches run at once; an <see cref="Add"/> or <see cref="Remove"/> waits for the searches in
/// flight and holds new ones until it is done, so every search sees the index before or after a write, never in between.</para>
/// </remarks>
public sealed class VectorIndex : IDisposable
{
    private readonly IndexEngine _engine;

    /// <summary>Initializes an empty index.</summary>
    /// <param name="dimensions">The dimensions of the vectors (384 for all-MiniLM-L6-v2).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is not positive, or an option is out of range.</exception>
    public VectorIndex(int dimensions, VectorIndexOptions? options = null)
    {
        options ??= new VectorIndexOptions();
        _engine = new IndexEngine(chunked: false, dimensions, options.Encoding, options.MaxDegreeOfParallelism);
    }

    private VectorIndex(IndexEngine engine) => _engine = engine;

    /// <summary>Gets the dimensions of the vectors.</summary>
    public int Dimensions => _engine.Dimensions;

    /// <summary>Gets how the index keeps the vectors it scans.</summary>
    public VectorEncoding Encoding => _engine.Encoding;

    /// <summary>Gets the number of keys.</summary>
    public int Count => _engine.EntryCount;

    /// <summary>Loads an index saved with <see cref="Save"/>.</summary>
    /// <param name="path">The index file.</param>
    /// <param name="memoryMapped"><see langword="true"/> to keep the vectors in a read-only mapping of the file (the operating system pages them in as
    /// searches read them; the first write copies them into memory); <see langword="false"/> to copy them into memory now. The checksum is checked either way.</param>
    /// <param name="maxDegreeOfParallelism">How many threads one search may use, or -1 for one per processor.</param>
    /// <returns>The index.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VectorIndexFileException">The file is not an index file, of another format version, truncated, corrupt, or a chunk index.</exception>
    public static VectorIndex Load(string path, bool memoryMapped = false, int maxDegreeOfParallelism = -1) =>
        new(IndexFileReader.Load(path, chunked: false, memoryMapped, maxDegreeOfParallelism));

    /// <summary>Adds a vector under a key, or replaces the key's vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="vector">The embedding.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The vector has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public void Add(string key, ReadOnlySpan<float> vector)
    {
        ArgumentNullException.ThrowIfNull(key);
        float[] unit = ArrayPool<float>.Shared.Rent(Dimensions);
        try
        {
            _engine.Normalize(vector, unit, nameof(vector));
            _engine.Upsert(key, unit.AsSpan(0, Dimensions), default, default);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(unit);
        }
    }

    /// <summary>Removes a key and its vector.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was in the index.</returns>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _engine.Remove(key);
    }

    /// <summary>Whether a key is in the index.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when the index has a vector under <paramref name="key"/>.</returns>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _engine.Contains(key);
    }

    /// <summary>Finds the keys whose vectors are most similar to a query.</summary>
    /// <param name="query">The query embedding.</param>
    /// <param name="top">How many results to return at most.</param>
    /// <param name="options">The search options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The best matches, best first; empty when the index is.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or the rescore multiplier is not positive.</exception>
    /// <exception cref="ArgumentException">The query has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int top = 10, VectorSearchOptions? options = null)
    {
        options = SearchArguments.Check(top, options);
        float[] unit = new float[Dimensions];
        _engine.Normalize(query, unit, nameof(query));
        return ToMatches(_engine.Search(unit, top, options));
    }

    /// <summary>Finds the best keys for each of many queries in one pass over the index (a matrix product for float vectors).</summary>
    /// <param name="queries">The query embeddings.</param>
    /// <param name="top">How many results to return at most per query.</param>
    /// <param name="options">The search options, or <see langword="null"/> for the defaults.</param>
    /// <returns>One list of matches per query, in query order, best first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or the rescore multiplier is not positive.</exception>
    /// <exception cref="ArgumentException">A query has the wrong dimensions, a NaN or infinite component, or is all zeros.</exception>
    public IReadOnlyList<IReadOnlyList<VectorMatch>> SearchBatch(IReadOnlyList<ReadOnlyMemory<float>> queries, int top = 10, VectorSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        options = SearchArguments.Check(top, options);
        float[] units = SearchArguments.NormalizeAll(_engine, queries);
        SearchHit[][] hits = _engine.SearchMany(units, queries.Count, top, options);
        return Array.ConvertAll(hits, ToMatches);
    }

    /// <summary>Saves the index to a file (written beside it and renamed, so a reader never sees half a file); writes wait meanwhile.</summary>
    /// <param name="path">The file to write.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path) => IndexFileWriter.Save(_engine, path);

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    private static IReadOnlyList<VectorMatch> ToMatches(SearchHit[] hits) =>
        Array.ConvertAll(hits, hit => new VectorMatch { Key = hit.Key, Score = hit.Score });
}
