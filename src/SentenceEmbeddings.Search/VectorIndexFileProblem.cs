namespace SentenceEmbeddings;

/// <summary>What is wrong with an index file.</summary>
public enum VectorIndexFileProblem
{
    /// <summary>The file does not start like an index file.</summary>
    NotAnIndexFile = 0,

    /// <summary>The file was written in a format version this library does not read.</summary>
    UnsupportedVersion = 1,

    /// <summary>The file is shorter (or longer) than its header says.</summary>
    Truncated = 2,

    /// <summary>The file's content does not match its checksum.</summary>
    ChecksumMismatch = 3,

    /// <summary>The file holds the other kind of index (a chunk index where a vector index was asked for, or the reverse).</summary>
    WrongKind = 4,
}
