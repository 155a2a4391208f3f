namespace SentenceEmbeddings;

/// <summary>How far the download of one file has come.</summary>
public sealed class HubDownloadProgress
{
    /// <summary>Gets the file's path in the repository.</summary>
    public required string File { get; init; }

    /// <summary>Gets the bytes on disk so far, a resumed part included.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Gets the file's size, when the hub said it.</summary>
    public long? TotalBytes { get; init; }

    /// <summary>Gets a value indicating whether the file is complete and verified.</summary>
    public bool Completed { get; init; }
}
