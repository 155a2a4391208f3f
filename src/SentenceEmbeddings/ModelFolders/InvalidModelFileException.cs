namespace SentenceEmbeddings;

/// <summary>Represents a model file that exists but cannot be used: malformed JSON, an unknown setting, or a file that is not what its name says.</summary>
public sealed class InvalidModelFileException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="InvalidModelFileException"/> class.</summary>
    public InvalidModelFileException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidModelFileException"/> class with a message.</summary>
    /// <param name="message">The message that describes the problem.</param>
    public InvalidModelFileException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidModelFileException"/> class with a message and its cause.</summary>
    /// <param name="message">The message that describes the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public InvalidModelFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidModelFileException"/> class for a file.</summary>
    /// <param name="filePath">The path of the file that cannot be used.</param>
    /// <param name="message">The message that describes the problem and how to fix it.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public InvalidModelFileException(string filePath, string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Gets the path of the file that cannot be used.</summary>
    public string? FilePath { get; }
}
