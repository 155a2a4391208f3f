using System.Buffers.Binary;
using System.IO.Hashing;

namespace SentenceEmbeddings.Persistence;

/// <summary>The 64-byte header of an index file: magic, format version, shape, payload length and the XxHash3 checksums of the payload and the header.</summary>
internal readonly record struct IndexFileHeader(bool Chunked, VectorEncoding Encoding, int Dimensions, int EntryCount, int RowCount, long PayloadLength, ulong PayloadHash)
{
    /// <summary>The header's length in bytes; the payload follows.</summary>
    public const int Length = 64;

    /// <summary>The format version this library writes and reads.</summary>
    public const uint FormatVersion = 1;

    // PNG-style: a non-ASCII first byte, then CR LF and ^Z, so a file mangled as text fails at once.
    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'S', (byte)'E', (byte)'V', (byte)'X', 0x0D, 0x0A, 0x1A];

    /// <summary>Writes the header.</summary>
    public void Write(Span<byte> destination)
    {
        destination[..Length].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], FormatVersion);
        destination[12] = Chunked ? (byte)1 : (byte)0;
        destination[13] = (byte)Encoding;
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], EntryCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], RowCount);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], PayloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], PayloadHash);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[48..], XxHash3.HashToUInt64(destination[..48]));
    }

    /// <summary>Reads and checks a header.</summary>
    /// <param name="source">The file's first bytes (fewer than <see cref="Length"/> when the file is that short).</param>
    /// <param name="path">The file, for the messages.</param>
    /// <exception cref="VectorIndexFileException">The bytes are not a header this library reads.</exception>
    public static IndexFileHeader Read(ReadOnlySpan<byte> source, string path)
    {
        int magicLength = Math.Min(source.Length, Magic.Length);
        if (!source[..magicLength].SequenceEqual(Magic[..magicLength]) || source.Length == 0)
        {
            throw new VectorIndexFileException(path, VectorIndexFileProblem.NotAnIndexFile,
                $"'{path}' is not an index file (it does not start with the index file signature). Build one with VectorIndex.Save or `sentence-embeddings index`.");
        }

        if (source.Length < Length)
        {
            throw Truncated(path, $"it is {source.Length} bytes long, shorter than the {Length}-byte header");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        if (version != FormatVersion)
        {
            throw new VectorIndexFileException(path, VectorIndexFileProblem.UnsupportedVersion,
                $"'{path}' is an index file of format version {version}; this library reads version {FormatVersion}. Rebuild the index with this version.");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(source[48..]) != XxHash3.HashToUInt64(source[..48]))
        {
            throw Corrupt(path, "header");
        }

        var encoding = (VectorEncoding)source[13];
        int dimensions = BinaryPrimitives.ReadInt32LittleEndian(source[16..]);
        int entryCount = BinaryPrimitives.ReadInt32LittleEndian(source[20..]);
        int rowCount = BinaryPrimitives.ReadInt32LittleEndian(source[24..]);
        long payloadLength = BinaryPrimitives.ReadInt64LittleEndian(source[32..]);
        if (source[12] > 1 || !Enum.IsDefined(encoding) || dimensions <= 0 || entryCount < 0 || rowCount < entryCount || payloadLength < 0)
        {
            throw Corrupt(path, "header");
        }

        return new IndexFileHeader(source[12] == 1, encoding, dimensions, entryCount, rowCount, payloadLength, BinaryPrimitives.ReadUInt64LittleEndian(source[40..]));
    }

    /// <summary>The exception for a file whose length does not match its header.</summary>
    public static VectorIndexFileException Truncated(string path, string detail) => new(path, VectorIndexFileProblem.Truncated,
        $"'{path}' is truncated or has extra bytes ({detail}). Copy the file again or rebuild the index.");

    /// <summary>The exception for a file whose content does not match its checksum.</summary>
    public static VectorIndexFileException Corrupt(string path, string part) => new(path, VectorIndexFileProblem.ChecksumMismatch,
        $"'{path}' is corrupt: its {part} does not match its checksum. Copy the file again or rebuild the index.");
}
