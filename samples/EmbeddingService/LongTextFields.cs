using Microsoft.Extensions.AI;
using SentenceEmbeddings;

namespace EmbeddingService;

/// <summary>Reads the <c>long_text</c> and <c>return_chunks</c> request fields; without <c>long_text</c> the configured <c>SentenceEmbeddings:LongTextMode</c> applies.</summary>
internal static class LongTextFields
{
    private static readonly string[] Modes = ["truncate", "chunk", "error"];

    /// <summary>Checks the fields and returns the call options, or a message for a 400.</summary>
    /// <param name="longText">The <c>long_text</c> field, or <see langword="null"/>.</param>
    /// <param name="returnChunks">The <c>return_chunks</c> field.</param>
    /// <param name="options">The call options asking for the mode, or <see langword="null"/> for the configured one.</param>
    /// <returns><see langword="null"/> when the fields are valid, else what is wrong.</returns>
    public static string? Check(string? longText, bool returnChunks, out EmbeddingGenerationOptions? options)
    {
        options = null;
        if (longText is null)
        {
            return null;
        }

        if (!Modes.Contains(longText, StringComparer.OrdinalIgnoreCase))
        {
            return $"\"long_text\" '{longText}' is unknown; use 'truncate', 'chunk' or 'error'.";
        }

        if (returnChunks && !string.Equals(longText, "chunk", StringComparison.OrdinalIgnoreCase))
        {
            return $"\"return_chunks\" needs \"long_text\": \"chunk\" (it is '{longText}').";
        }

        options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [SentenceEmbeddingGenerator.LongTextPropertyName] = longText } };
        return null;
    }
}
