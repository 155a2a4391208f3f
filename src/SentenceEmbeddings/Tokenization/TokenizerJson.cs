using System.Text.Json;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Reads values from tokenizer JSON files and turns every problem into an <see cref="InvalidModelFileException"/> naming the file.</summary>
internal static class TokenizerJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Parses a JSON file.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The parsed document, which the caller disposes.</returns>
    /// <exception cref="InvalidModelFileException">The file is not valid JSON.</exception>
    public static JsonDocument Parse(string path)
    {
        using FileStream stream = File.OpenRead(path);
        try
        {
            return JsonDocument.Parse(stream, DocumentOptions);
        }
        catch (JsonException exception)
        {
            throw new InvalidModelFileException(
                path,
                $"The tokenizer file '{path}' is not valid JSON ({exception.Message}). Download it again from the model's repository.",
                exception);
        }
    }

    /// <summary>Creates the exception for a tokenizer file that cannot be used.</summary>
    /// <param name="path">The file.</param>
    /// <param name="problem">What is wrong, as one or more sentences.</param>
    /// <returns>The exception to throw.</returns>
    public static InvalidModelFileException Invalid(string path, string problem) =>
        new(path, $"The tokenizer file '{path}' cannot be used: {problem} Use the tokenizer files from the model's own repository, unchanged.", null);

    /// <summary>Checks that an element is a JSON object.</summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="element">The element to check.</param>
    /// <param name="what">What the element is, for the error message.</param>
    /// <returns>The element.</returns>
    public static JsonElement RequireObject(string path, JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Invalid(path, $"{what} is not a JSON object.");

    /// <summary>Reads an optional string property.</summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="parent">The object that holds the property.</param>
    /// <param name="name">The property name.</param>
    /// <returns>The string, or <see langword="null"/> when the property is absent or null.</returns>
    public static string? GetOptionalString(string path, JsonElement parent, string name) =>
        !parent.TryGetProperty(name, out JsonElement value) ? null : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw Invalid(path, $"'{name}' should be a string but is {value.ValueKind}."),
        };

    /// <summary>Reads an optional Boolean property.</summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="parent">The object that holds the property.</param>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or <see langword="null"/> when the property is absent or null.</returns>
    public static bool? GetOptionalBoolean(string path, JsonElement parent, string name) =>
        !parent.TryGetProperty(name, out JsonElement value) ? null : value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw Invalid(path, $"'{name}' should be true, false or null but is {value.ValueKind}."),
        };

    /// <summary>Reads an optional non-negative integer property.</summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="parent">The object that holds the property.</param>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or <see langword="null"/> when the property is absent or null.</returns>
    public static int? GetOptionalCount(string path, JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= 0
            ? number
            : throw Invalid(path, $"'{name}' should be a non-negative integer but is {value}.");
    }

    /// <summary>Reads a token given either as a string or as an object with a <c>content</c> string, as transformers writes both.</summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="value">The element to read.</param>
    /// <param name="name">The name of the setting, for the error message.</param>
    /// <returns>The token text, or <see langword="null"/> when the value is null.</returns>
    public static string? ReadTokenContent(string path, JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        JsonValueKind.Object when value.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String
            => content.GetString(),
        _ => throw Invalid(path, $"'{name}' should be a token string or an object with a \"content\" string."),
    };

    /// <summary>Reads an added token object (<c>content</c>, <c>normalized</c>, <c>single_word</c>, ...).</summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="value">The token object.</param>
    /// <param name="id">The id given outside the object, if any; otherwise the object's <c>id</c> property is read.</param>
    /// <returns>The token.</returns>
    public static AddedTokenEntry ReadAddedToken(string path, JsonElement value, int? id)
    {
        RequireObject(path, value, "an added token");
        string content = GetOptionalString(path, value, "content") ?? throw Invalid(path, "an added token has no \"content\".");
        bool special = GetOptionalBoolean(path, value, "special") ?? false;
        return new AddedTokenEntry(
            content,
            id ?? GetOptionalCount(path, value, "id"),
            Normalized: GetOptionalBoolean(path, value, "normalized") ?? !special,
            SingleWord: GetOptionalBoolean(path, value, "single_word") ?? false);
    }
}
