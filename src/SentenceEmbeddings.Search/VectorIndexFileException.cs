namespace SentenceEmbeddings;

/// <summary>The exception thrown when an index file cannot be loaded: not an index, another format version, truncated, corrupt, or the other kind of index.</summary>
public sealed class VectorIndexFileException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="VectorIndexFileException"/> class.</summary>
    public VectorIndexFileException()
        : this(string.Empty, VectorIndexFileProblem.NotAnIndexFile, "The file is not a valid index file.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="VectorIndexFileException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public VectorIndexFileException(string message)
        : this(string.Empty, VectorIndexFileProblem.NotAnIndexFile, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="VectorIndexFileException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public VectorIndexFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="VectorIndexFileException"/> class for a file and its problem.</summary>
    /// <param name="filePath">The file that could not be loaded.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="message">The message, naming the file and the fix.</param>
    public VectorIndexFileException(string filePath, VectorIndexFileProblem problem, string message)
        : base(message)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>Gets the file that could not be loaded.</summary>
    public string FilePath { get; }

    /// <summary>Gets what is wrong with the file.</summary>
    public VectorIndexFileProblem Problem { get; }
}
