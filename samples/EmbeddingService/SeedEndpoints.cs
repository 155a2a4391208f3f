using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tiers;
using SentenceEmbeddings;

namespace EmbeddingService;

/// <summary>The seed's model-service endpoints under <c>/api/v1/models</c>; every answer has <c>status</c>, errors a <c>message</c>.</summary>
internal static class SeedEndpoints
{
    public static void Map(WebApplication app)
    {
        RouteGroupBuilder models = app.MapGroup("/api/v1/models");

        models.MapGet("/list", (EmbeddingTierRegistry registry) =>
        {
            string[] loaded = [.. registry.LoadedModels.Select(m => m.Tier)];
            return Results.Json(new { Status = "success", AvailableModels = registry.Tiers.Select(t => t.Name), LoadedModels = loaded, Count = registry.Tiers.Count });
        });

        models.MapGet("/info", (string? type, EmbeddingTierRegistry registry) =>
        {
            if (!registry.TryGetTier(type, out EmbeddingTier? tier))
            {
                return UnknownType(registry, type);
            }

            LoadedModelInfo? loaded = registry.LoadedModels.FirstOrDefault(m => m.Tier == tier.Name);
            return Results.Json(new
            {
                Status = "success",
                ModelType = tier.Name,
                Info = new
                {
                    Name = tier.ModelId,
                    Size = tier.ApproximateSizeBytes is long bytes ? $"~{bytes / 1_000_000}MB" : null,
                    Dimension = tier.Dimensions,
                    UseCase = tier.UseCase,
                    Loaded = loaded is not null,
                    ExecutionProvider = loaded?.ExecutionProvider.ToString(),
                    ExecutionProviderFallbackReason = loaded?.ExecutionProviderFallbackReason,
                },
            });
        });

        models.MapPost("/load", async (HttpRequest request, EmbeddingTierRegistry registry) =>
        {
            (ModelTypeRequest? body, IResult? error) = await JsonBody.ReadAsync<ModelTypeRequest>(request, Error);
            if (error is not null)
            {
                return error;
            }

            if (!registry.TryGetTier(body!.ModelType, out EmbeddingTier? tier))
            {
                return UnknownType(registry, body.ModelType);
            }

            try
            {
                await registry.LoadAsync(tier.Name, request.HttpContext.RequestAborted);
            }
            catch (ModelNotFoundException exception)
            {
                return Error(StatusCodes.Status404NotFound, exception.Message);
            }

            return Results.Json(new { Status = "success", Message = $"Model '{tier.Name}' ({tier.ModelId}) is loaded.", ModelType = tier.Name });
        });

        models.MapPost("/embedding", async (HttpRequest request, EmbeddingTierRegistry registry, ServiceOptions limits) =>
        {
            (EmbeddingRequest? body, IResult? error) = await JsonBody.ReadAsync<EmbeddingRequest>(request, Error);
            if (error is not null)
            {
                return error;
            }

            if (string.IsNullOrWhiteSpace(body!.Text))
            {
                return Error(StatusCodes.Status400BadRequest, "\"text\" is missing or empty.");
            }

            return await EmbedAsync(registry, body.ModelType, [body.Text], new LongText(body.LongText, body.ReturnChunks), request, (tier, e) => Results.Json(e[0].Chunks is null
                ? new { Status = "success", ModelType = tier, Embedding = e[0].Vector.ToArray(), Dimension = e[0].Vector.Length }
                : (object)new { Status = "success", ModelType = tier, Embedding = e[0].Vector.ToArray(), Dimension = e[0].Vector.Length, Chunks = e[0].Chunks!.Select(ChunkJson) }));
        });

        models.MapPost("/batch_embedding", async (HttpRequest request, EmbeddingTierRegistry registry, ServiceOptions limits) =>
        {
            (BatchEmbeddingRequest? body, IResult? error) = await JsonBody.ReadAsync<BatchEmbeddingRequest>(request, Error);
            if (error is not null)
            {
                return error;
            }

            if (body!.Texts is not { Length: > 0 } texts || texts.Any(t => t is null))
            {
                return Error(StatusCodes.Status400BadRequest, "\"texts\" must be a non-empty array of strings.");
            }

            if (texts.Length > limits.MaxTextsPerRequest)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, $"{texts.Length} texts in one request; at most {limits.MaxTextsPerRequest} (Service:MaxTextsPerRequest).");
            }

            return await EmbedAsync(registry, body.ModelType, texts, new LongText(body.LongText, body.ReturnChunks), request, (tier, e) => Results.Json(!body.ReturnChunks
                ? new { Status = "success", ModelType = tier, Embeddings = e.Select(x => x.Vector.ToArray()), Count = e.Count, Dimension = e[0].Vector.Length }
                : (object)new { Status = "success", ModelType = tier, Embeddings = e.Select(x => x.Vector.ToArray()), Count = e.Count, Dimension = e[0].Vector.Length, Chunks = e.Select(x => x.Chunks!.Select(ChunkJson)) }));
        });
    }

    private static async Task<IResult> EmbedAsync(
        EmbeddingTierRegistry registry, string? modelType, string[] texts, LongText longText, HttpRequest request, Func<string, IReadOnlyList<TextVector>, IResult> answer)
    {
        if (!registry.TryGetTier(modelType ?? registry.DefaultTier.Name, out EmbeddingTier? tier))
        {
            return UnknownType(registry, modelType);
        }

        if (LongTextFields.Check(longText.Mode, longText.ReturnChunks, out EmbeddingGenerationOptions? options) is string problem)
        {
            return Error(StatusCodes.Status400BadRequest, problem);
        }

        try
        {
            IEmbeddingGenerator<string, Embedding<float>> generator = registry.GetGenerator(tier.Name);
            CancellationToken aborted = request.HttpContext.RequestAborted;
            TextVector[] vectors = longText.ReturnChunks
                ? [.. (await generator.GenerateChunksAsync(texts, options, aborted)).Select(c => new TextVector(c.Vector, c.Chunks))]
                : [.. (await generator.GenerateAsync(texts, options, aborted)).Select(e => new TextVector(e.Vector, null))];
            return answer(tier.Name, vectors);
        }
        catch (ModelNotFoundException exception)
        {
            return Error(StatusCodes.Status404NotFound, exception.Message);
        }
        catch (EmbeddingQueueFullException exception)
        {
            // QueueFullMode Fail (appsettings.json): shed load instead of queueing without bound.
            return Error(StatusCodes.Status429TooManyRequests, exception.Message);
        }
        catch (TextTooLongException exception)
        {
            return Error(StatusCodes.Status400BadRequest, exception.Message);
        }
    }

    private static object ChunkJson(TextChunk chunk) => new { chunk.Start, chunk.End, chunk.TokenCount, Embedding = chunk.Vector.ToArray() };

    private static IResult UnknownType(EmbeddingTierRegistry registry, string? type) =>
        Error(StatusCodes.Status400BadRequest, $"Unknown model type '{type}'. Known types: {string.Join(", ", registry.Tiers.Select(t => t.Name))}.");

    private static IResult Error(int statusCode, string message) => Results.Json(new { Status = "error", Message = message }, statusCode: statusCode);

    private sealed record ModelTypeRequest(string? ModelType);

    private sealed record EmbeddingRequest(string? Text, string? ModelType, string? LongText, bool ReturnChunks);

    private sealed record BatchEmbeddingRequest(string[]? Texts, string? ModelType, string? LongText, bool ReturnChunks);

    private readonly record struct LongText(string? Mode, bool ReturnChunks);

    private sealed record TextVector(ReadOnlyMemory<float> Vector, IReadOnlyList<TextChunk>? Chunks);
}
