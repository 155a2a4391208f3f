using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using SentenceEmbeddings.Indexing;
using SentenceEmbeddings.Scoring;
using SentenceEmbeddings.Storage;

namespace SentenceEmbeddings.Persistence;

/// <summary>Loads an index file through a read-only memory mapping: checks its header, length and checksum, then keeps the rows in the mapping or copies them out.</summary>
internal sealed unsafe class IndexFileReader : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private long _offset = IndexFileHeader.Length;

    private IndexFileReader(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + view.PointerOffset;
    }

    /// <summary>Reads the header of an index file without loading it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VectorIndexFileException">The file is not an index file this library reads.</exception>
    public static IndexFileHeader ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        Span<byte> bytes = stackalloc byte[IndexFileHeader.Length];
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        IndexFileHeader header = IndexFileHeader.Read(bytes[..read], path);
        long expected = IndexFileHeader.Length + header.PayloadLength;
        if (stream.Length != expected)
        {
            throw IndexFileHeader.Truncated(path, $"{stream.Length:N0} bytes where the header says {expected:N0}");
        }

        return header;
    }

    /// <summary>Loads an index file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="chunked">Whether a chunk index is expected.</param>
    /// <param name="memoryMapped">Whether the rows stay in the mapping (read from disk as needed) rather than being copied into memory.</param>
    /// <param name="maxDegreeOfParallelism">The loaded index's thread limit.</param>
    public static IndexEngine Load(string path, bool chunked, bool memoryMapped, int maxDegreeOfParallelism)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        IndexFileHeader header = ReadHeader(fullPath);
        if (header.Chunked != chunked)
        {
            throw new VectorIndexFileException(fullPath, VectorIndexFileProblem.WrongKind, header.Chunked
                ? $"'{fullPath}' holds a chunk index; load it with ChunkIndex.Load."
                : $"'{fullPath}' holds a vector index; load it with VectorIndex.Load.");
        }

        var file = MemoryMappedFile.CreateFromFile(fullPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var reader = new IndexFileReader(file, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read));
        IndexEngine? engine = null;
        try
        {
            reader.Verify(header, fullPath);
            engine = new IndexEngine(header.Chunked, header.Dimensions, header.Encoding, maxDegreeOfParallelism);
            reader.Fill(engine, header);
            if (memoryMapped)
            {
                engine.AttachMapping(reader);
            }
            else
            {
                engine.Vectors.EnsureWritable();
                engine.Int8Codes?.EnsureWritable();
                engine.Int8Scales?.EnsureWritable();
                engine.Bits?.EnsureWritable();
                reader.Dispose();
            }

            return engine;
        }
        catch
        {
            engine?.Dispose();
            reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private void Verify(IndexFileHeader header, string path)
    {
        var hash = new XxHash3();
        for (long done = 0; done < header.PayloadLength;)
        {
            int length = (int)Math.Min(1 << 30, header.PayloadLength - done);
            hash.Append(new ReadOnlySpan<byte>(_start + IndexFileHeader.Length + done, length));
            done += length;
        }

        if (hash.GetCurrentHashAsUInt64() != header.PayloadHash)
        {
            throw IndexFileHeader.Corrupt(path, "content");
        }
    }

    private void Fill(IndexEngine engine, IndexFileHeader header)
    {
        int rows = header.RowCount;
        engine.Vectors = ReadRows<float>(header.Dimensions, rows);
        if (header.Encoding == VectorEncoding.Int8)
        {
            engine.Int8Codes = ReadRows<sbyte>(header.Dimensions, rows);
            engine.Int8Scales = ReadRows<float>(1, rows);
        }
        else if (header.Encoding == VectorEncoding.Binary)
        {
            engine.Bits = ReadRows<ulong>(BinaryCodec.WordCount(header.Dimensions), rows);
        }

        engine.RowEntries.AddRange(ReadInts(rows));
        if (header.Chunked)
        {
            engine.RowStarts.AddRange(ReadInts(rows));
            engine.RowEnds.AddRange(ReadInts(rows));
        }

        engine.EntryFirstRows.AddRange(ReadInts(header.EntryCount));
        engine.EntryRowCounts.AddRange(ReadInts(header.EntryCount));
        for (int entry = 0; entry < header.EntryCount; entry++)
        {
            int length = MemoryMarshal.Read<int>(Bytes(4));
            string key = Encoding.UTF8.GetString(Bytes(length));
            engine.Keys.Add(key);
            engine.EntryByKey.Add(key, entry);
        }
    }

    private SegmentedRows<T> ReadRows<T>(int width, int count)
        where T : unmanaged
    {
        T* first = (T*)(_start + _offset);
        SegmentedRows<T> rows = SegmentedRows<T>.FromMemory(width, count, (offset, length) => new PointerMemory<T>(first + offset, length).Memory);
        Skip((long)width * count * sizeof(T));
        return rows;
    }

    private ReadOnlySpan<int> ReadInts(int count)
    {
        var values = new ReadOnlySpan<int>(_start + _offset, count);
        Skip(count * 4L);
        return values;
    }

    private ReadOnlySpan<byte> Bytes(int length)
    {
        var bytes = new ReadOnlySpan<byte>(_start + _offset, length);
        _offset += length;
        return bytes;
    }

    private void Skip(long length) => _offset += length + (-length & 7);
}
