using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using SentenceEmbeddings.Indexing;
using SentenceEmbeddings.Storage;

namespace SentenceEmbeddings.Persistence;

/// <summary>Writes an engine to an index file: to a temporary file beside it, renamed over the target once complete, so a reader never sees half a file.</summary>
/// <remarks>
/// Layout after the header (little-endian, every section padded to 8 bytes): the float rows; the int8 codes and scales
/// or the sign bits; each row's entry; the chunk ranges (chunk index); each entry's first row and row count; each key
/// as a 4-byte UTF-8 length and its bytes.
/// </remarks>
internal sealed class IndexFileWriter
{
    private static readonly byte[] Padding = new byte[8];
    private readonly Stream _stream;
    private readonly XxHash3 _hash = new();
    private long _written;

    private IndexFileWriter(Stream stream) => _stream = stream;

    /// <summary>Saves the engine to <paramref name="path"/>.</summary>
    public static void Save(IndexEngine engine, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string temporary = $"{fullPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            engine.WithWriteLock(() =>
            {
                using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                file.Write(new byte[IndexFileHeader.Length]);
                var writer = new IndexFileWriter(file);
                writer.WritePayload(engine);
                var header = new IndexFileHeader(engine.Chunked, engine.Encoding, engine.Dimensions, engine.Keys.Count, engine.RowEntries.Count, writer._written, writer._hash.GetCurrentHashAsUInt64());
                Span<byte> bytes = stackalloc byte[IndexFileHeader.Length];
                header.Write(bytes);
                file.Position = 0;
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            });
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private void WritePayload(IndexEngine engine)
    {
        WriteRows(engine.Vectors);
        if (engine.Int8Codes is not null)
        {
            WriteRows(engine.Int8Codes);
            WriteRows(engine.Int8Scales!);
        }

        if (engine.Bits is not null)
        {
            WriteRows(engine.Bits);
        }

        WriteList(engine.RowEntries);
        if (engine.Chunked)
        {
            WriteList(engine.RowStarts);
            WriteList(engine.RowEnds);
        }

        WriteList(engine.EntryFirstRows);
        WriteList(engine.EntryRowCounts);
        byte[] buffer = new byte[256];
        foreach (string key in engine.Keys)
        {
            int length = Encoding.UTF8.GetByteCount(key);
            if (buffer.Length < length + 4)
            {
                buffer = new byte[length + 4];
            }

            BitConverter.TryWriteBytes(buffer, length);
            Encoding.UTF8.GetBytes(key, buffer.AsSpan(4));
            Write(buffer.AsSpan(0, length + 4));
        }

        Pad();
    }

    private void WriteRows<T>(SegmentedRows<T> rows)
        where T : unmanaged
    {
        for (int segment = 0; segment < rows.SegmentCount; segment++)
        {
            Write(MemoryMarshal.AsBytes(rows.Segment(segment)));
        }

        Pad();
    }

    private void WriteList(List<int> values)
    {
        Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(values)));
        Pad();
    }

    private void Pad()
    {
        int pad = (int)(-_written & 7);
        Write(Padding.AsSpan(0, pad));
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _hash.Append(bytes);
        _written += bytes.Length;
    }
}
