namespace SentenceEmbeddings;

/// <summary>How far the download of one file has come.</summary>
/// <param name="File">The file's path in the repository.</param>
/// <param name="BytesReceived">The bytes on disk so far, a resumed part included.</param>
/// <param name="TotalBytes">The file's size, when the hub said it.</param>
/// <param name="Completed">Whether the file is complete and verified.</param>
public sealed record HubDownloadProgress(string File, long BytesReceived, long? TotalBytes, bool Completed);
