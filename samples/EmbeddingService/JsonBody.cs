using System.Text.Json;

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
            T? value = await request.ReadFromJsonAsync<T>(request.HttpContext.RequestAborted);
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
