using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>list</c> and <c>info</c> commands: the tiers, their facts, and where each one's model is on this machine.</summary>
internal static class ListCommand
{
    /// <summary>Gets the option naming the models root, shared by the commands that resolve tiers.</summary>
    public static Option<DirectoryInfo?> ModelsPath { get; } = new("--models-path") { Description = "A models root searched as {root}/{org}/{name} and {root}/{name}, before the HuggingFace cache." };

    /// <summary>Creates the <c>list</c> command.</summary>
    public static Command CreateList()
    {
        var command = new Command("list", "List the tiers and where each one's model is found, or that it is missing.") { ModelsPath };
        command.SetAction(result =>
        {
            using EmbeddingTierRegistry registry = Registry(result.GetValue(ModelsPath));
            foreach (EmbeddingTier tier in registry.Tiers)
            {
                Console.WriteLine($"{tier.Name,-13} {tier.ModelId,-60} {Where(registry, tier)}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Creates the <c>info</c> command.</summary>
    public static Command CreateInfo()
    {
        var tierArgument = new Argument<string>("tier") { Description = "A tier name or model id." };
        var variant = new Option<OnnxVariant>("--onnx-variant") { Description = "Which ONNX file to report: Fp32 (exact parity) or Auto (a published int8 variant for this CPU, when present)." };
        var command = new Command("info", "Show a tier's facts, where its model is and which ONNX file runs.") { tierArgument, ModelsPath, variant };
        command.SetAction(result =>
        {
            using EmbeddingTierRegistry registry = new(new SentenceEmbeddingsOptions { ModelsPath = result.GetValue(ModelsPath)?.FullName, OnnxVariant = result.GetValue(variant) });
            if (!registry.TryGetTier(result.GetValue(tierArgument), out EmbeddingTier? tier))
            {
                Console.Error.WriteLine($"error: unknown tier '{result.GetValue(tierArgument)}'; known tiers: {string.Join(", ", registry.Tiers.Select(t => t.Name))}.");
                return 1;
            }

            Console.WriteLine($"tier:        {tier.Name}");
            Console.WriteLine($"model:       {tier.ModelId}");
            Console.WriteLine($"use case:    {tier.UseCase}");
            Console.WriteLine($"size:        {(tier.ApproximateSizeBytes is long bytes ? $"~{bytes / 1_000_000} MB" : "unknown")}");
            Console.WriteLine($"dimensions:  {tier.Dimensions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");
            Console.WriteLine($"location:    {Where(registry, tier)}");
            Console.WriteLine($"onnx file:   {OnnxFile(registry, tier)}");

            // This tool carries the CPU build of ONNX Runtime; an app with SentenceEmbeddings.Cuda lists CUDAExecutionProvider here.
            Console.WriteLine($"providers:   {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())}");
            return 0;
        });
        return command;
    }

    /// <summary>Builds a registry that searches the given models root and the HuggingFace cache.</summary>
    public static EmbeddingTierRegistry Registry(DirectoryInfo? modelsPath) => new(new SentenceEmbeddingsOptions { ModelsPath = modelsPath?.FullName });

    private static string OnnxFile(EmbeddingTierRegistry registry, EmbeddingTier tier)
    {
        try
        {
            return registry.ResolveOnnxFile(tier.Name);
        }
        catch (Exception exception) when (exception is ModelNotFoundException or FileNotFoundException or InvalidModelFileException)
        {
            return "none (model or ONNX file missing)";
        }
    }

    private static string Where(EmbeddingTierRegistry registry, EmbeddingTier tier)
    {
        try
        {
            return registry.Locate(tier.Name);
        }
        catch (ModelNotFoundException)
        {
            return $"missing (sentence-embeddings download --model {tier.ModelId})";
        }
    }
}
