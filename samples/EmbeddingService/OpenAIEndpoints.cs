using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tiers;
using SentenceEmbeddings;

namespace EmbeddingService;

/// <summary>The OpenAI embeddings API (<c>POST /v1/embeddings</c>, <c>GET /v1/models</c>), so OpenAI clients can call the service.</summary>
internal static class OpenAIEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/v1/models", (EmbeddingTierRegistry registry) => Results.Json(new
        {
            Object = "list",
            Data = registry.Tiers.Select(t => new { Id = t.Name, Object = "model", Created = 0, OwnedBy = t.ModelId.Split('/')[0] }),
        }));

        app.MapPost("/v1/embeddings", async (HttpRequest request, EmbeddingTierRegistry registry, ServiceOptions limits) =>
        {
            (EmbeddingsRequest? body, IResult? error) = await JsonBody.ReadAsync<EmbeddingsRequest>(request, (status, message) => Error(status, message, "invalid_request_error", null));
            if (error is not null)
            {
                return error;
            }

            string[]? texts = body!.Input.ValueKind switch
            {
                JsonValueKind.String => [body.Input.GetString()!],
                JsonValueKind.Array when body.Input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => [.. body.Input.EnumerateArray().Select(e => e.GetString()!)],
                _ => null,
            };
            if (texts is null || texts.Length == 0)
            {
                return Error(StatusCodes.Status400BadRequest, "'input' must be a string or a non-empty array of strings (token arrays are not accepted).", "invalid_request_error", "invalid_input");
            }

            if (texts.Length > limits.MaxTextsPerRequest)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, $"{texts.Length} inputs in one request; at most {limits.MaxTextsPerRequest}.", "invalid_request_error", "too_many_inputs");
            }

            if (!registry.TryGetTier(body.Model ?? registry.DefaultTier.Name, out EmbeddingTier? tier))
            {
                return Error(StatusCodes.Status404NotFound, $"The model '{body.Model}' does not exist. Models: {string.Join(", ", registry.Tiers.Select(t => t.Name))}.", "invalid_request_error", "model_not_found");
            }

            if (body.EncodingFormat is not (null or "float" or "base64"))
            {
                return Error(StatusCodes.Status400BadRequest, $"encoding_format '{body.EncodingFormat}' is not supported; use float or base64.", "invalid_request_error", "invalid_encoding_format");
            }

            if (body.Dimensions is int dimensions && tier.Dimensions is int native && dimensions != native)
            {
                return Error(StatusCodes.Status400BadRequest, $"The model '{tier.Name}' gives {native} dimensions; 'dimensions' {dimensions} is not supported.", "invalid_request_error", "invalid_dimensions");
            }

            if (LongTextFields.Check(body.LongText, returnChunks: false, out EmbeddingGenerationOptions? options) is string problem)
            {
                return Error(StatusCodes.Status400BadRequest, problem, "invalid_request_error", "invalid_long_text");
            }

            GeneratedEmbeddings<Embedding<float>> embeddings;
            try
            {
                embeddings = await registry.GetGenerator(tier.Name).GenerateAsync(texts, options, request.HttpContext.RequestAborted);
            }
            catch (ModelNotFoundException exception)
            {
                return Error(StatusCodes.Status404NotFound, exception.Message, "invalid_request_error", "model_not_found");
            }
            catch (EmbeddingQueueFullException exception)
            {
                return Error(StatusCodes.Status429TooManyRequests, exception.Message, "rate_limit_error", "queue_full");
            }
            catch (TextTooLongException exception)
            {
                return Error(StatusCodes.Status400BadRequest, exception.Message, "invalid_request_error", "context_length_exceeded");
            }

            bool base64 = body.EncodingFormat == "base64";
            long tokens = embeddings.Usage?.InputTokenCount ?? 0;
            return Results.Json(new
            {
                Object = "list",
                Data = embeddings.Select((e, index) => new
                {
                    Object = "embedding",
                    Index = index,
                    Embedding = base64 ? (object)Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : e.Vector.ToArray(),
                }),
                Model = tier.Name,
                Usage = new { PromptTokens = tokens, TotalTokens = tokens },
            });
        });
    }

    private static IResult Error(int statusCode, string message, string type, string? code) =>
        Results.Json(new { Error = new { Message = message, Type = type, Code = code } }, statusCode: statusCode);

    // long_text is an extension field: truncate, chunk or error.
    private sealed record EmbeddingsRequest(JsonElement Input, string? Model, string? EncodingFormat, int? Dimensions, string? LongText);
}
