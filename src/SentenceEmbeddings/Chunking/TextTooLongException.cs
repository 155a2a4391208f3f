namespace SentenceEmbeddings;

/// <summary>The exception thrown in <see cref="LongTextMode.Error"/> mode for a text with more tokens than the model's maximum sequence length; nothing has been run.</summary>
public sealed class TextTooLongException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="TextTooLongException"/> class.</summary>
    public TextTooLongException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TextTooLongException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public TextTooLongException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TextTooLongException"/> class with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TextTooLongException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TextTooLongException"/> class for one text of a call.</summary>
    /// <param name="textIndex">The text's index in the call.</param>
    /// <param name="tokenCount">The text's token count, special tokens and prompt included.</param>
    /// <param name="maxTokenCount">The model's maximum sequence length.</param>
    public TextTooLongException(int textIndex, int tokenCount, int maxTokenCount)
        : base($"The text at index {textIndex} has {tokenCount} tokens; the model takes at most {maxTokenCount}. Use long_text 'chunk' to embed it in windows, or 'truncate' to keep its first {maxTokenCount} tokens.")
    {
        TextIndex = textIndex;
        TokenCount = tokenCount;
        MaxTokenCount = maxTokenCount;
    }

    /// <summary>Gets the index of the text in the call.</summary>
    public int TextIndex { get; }

    /// <summary>Gets the text's token count, special tokens and prompt included.</summary>
    public int TokenCount { get; }

    /// <summary>Gets the model's maximum sequence length.</summary>
    public int MaxTokenCount { get; }
}
