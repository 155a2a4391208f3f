using System.Net;

namespace SentenceEmbeddings;

/// <summary>Represents a model download that failed: no such model or file, no access, no network in offline mode, a corrupt file, or a full disk.</summary>
public sealed class HubDownloadException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="HubDownloadException"/> class.</summary>
    public HubDownloadException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HubDownloadException"/> class with a message.</summary>
    /// <param name="message">The message that describes the problem.</param>
    public HubDownloadException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HubDownloadException"/> class with a message and its cause.</summary>
    /// <param name="message">The message that describes the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public HubDownloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HubDownloadException"/> class for a model and an HTTP status.</summary>
    /// <param name="repoId">The model repository.</param>
    /// <param name="statusCode">The hub's answer, if one came.</param>
    /// <param name="message">The message that describes the problem and the fix.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public HubDownloadException(string repoId, HttpStatusCode? statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        RepoId = repoId;
        StatusCode = statusCode;
    }

    /// <summary>Gets the model repository.</summary>
    public string? RepoId { get; }

    /// <summary>Gets the hub's HTTP status, if it answered.</summary>
    public HttpStatusCode? StatusCode { get; }
}
