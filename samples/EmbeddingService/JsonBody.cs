using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using SentenceEmbeddings.Cli.Commands;

namespace EmbeddingService;

/// <summary>Reads a JSON request body, turning every way it can be wrong into a JSON error (415, 413, 400) instead of an empty 400.</summary>
internal static class JsonBody
{
    /// <summary>Reads the body as <typeparamref name="T"/>.</summary>
    /// <returns>The value, or the error to answer with.</returns>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, Func<int, string, IResult> error)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, error(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON (Content-Type: application/json)."));
        }

        try
        {
            // Read whole (the body is bounded by Service:MaxRequestBodyBytes) so that "\ud800" escapes, which Python's json.dumps and
            // JavaScript's JSON.stringify write for a text cut inside an emoji, read as U+FFFD as in the CLI instead of failing.
            using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
            string json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            JsonSerializerOptions options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            T? value = JsonSerializer.Deserialize<T>(LoneSurrogateEscapes.Replace(json), options);
            return value is null ? (null, error(StatusCodes.Status400BadRequest, "The body is empty or null.")) : (value, null);
        }
        catch (JsonException exception)
        {
            return (null, error(StatusCodes.Status400BadRequest, $"The body is not valid JSON for this endpoint: {exception.Message}"));
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, error(StatusCodes.Status413PayloadTooLarge, "The body is larger than the service accepts (Service:MaxRequestBodyBytes)."));
        }
    }
}
