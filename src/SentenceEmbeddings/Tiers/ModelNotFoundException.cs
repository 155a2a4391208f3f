namespace SentenceEmbeddings;

/// <summary>Represents a tier whose model files were found in none of the places searched.</summary>
public sealed class ModelNotFoundException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelNotFoundException"/> class.</summary>
    public ModelNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelNotFoundException"/> class with a message.</summary>
    /// <param name="message">The message that describes the problem.</param>
    public ModelNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelNotFoundException"/> class with a message and its cause.</summary>
    /// <param name="message">The message that describes the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ModelNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelNotFoundException"/> class for a model.</summary>
    /// <param name="modelId">The model that was looked for.</param>
    /// <param name="searchedLocations">Every place that was searched, in order.</param>
    public ModelNotFoundException(string modelId, IReadOnlyList<string> searchedLocations)
        : base(BuildMessage(modelId, searchedLocations))
    {
        ModelId = modelId;
        SearchedLocations = searchedLocations;
    }

    /// <summary>Gets the model that was looked for.</summary>
    public string? ModelId { get; }

    /// <summary>Gets every place that was searched, in order.</summary>
    public IReadOnlyList<string> SearchedLocations { get; } = [];

    private static string BuildMessage(string modelId, IReadOnlyList<string> searchedLocations) =>
        $"The model '{modelId}' was not found. Looked in:{Environment.NewLine}" +
        string.Concat(searchedLocations.Select(l => $"  - {l}{Environment.NewLine}")) +
        $"Download it with: sentence-embeddings download --model {modelId} (into the HuggingFace cache), " +
        $"or add --to <folder> and set the tier's Path or the models root (SentenceEmbeddings:ModelsPath).";
}
