using System.CommandLine;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>similarity</c> command: the cosine similarity of two texts.</summary>
internal static class SimilarityCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var first = new Argument<string>("text-a") { Description = "The first text." };
        var second = new Argument<string>("text-b") { Description = "The second text." };
        var tier = new Option<string>("--tier") { Description = "The tier (or model id) to embed with.", DefaultValueFactory = _ => "fast" };
        var modelDir = new Option<DirectoryInfo?>("--model-dir") { Description = "A model folder to use instead of a tier." };
        Option<string> longText = LongTextOption.Create();
        var command = new Command("similarity", "Print the cosine similarity of two texts.") { first, second, tier, modelDir, longText, ListCommand.ModelsPath };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                string[] texts = [result.GetValue(first)!, result.GetValue(second)!];
                EmbeddingGenerationOptions options = LongTextOption.CallOptions(result.GetValue(longText)!);
                GeneratedEmbeddings<Embedding<float>> embeddings;
                if (result.GetValue(modelDir) is { } directory)
                {
                    using var generator = new SentenceEmbeddingGenerator(directory.FullName);
                    embeddings = await generator.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    using EmbeddingTierRegistry registry = ListCommand.Registry(result.GetValue(ListCommand.ModelsPath));
                    embeddings = await registry.GetGenerator(result.GetValue(tier)).GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
                }

                Console.WriteLine(TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[1].Vector.Span).ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            }
            catch (Exception exception) when (exception is ModelNotFoundException or FileNotFoundException or InvalidModelFileException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
