using Microsoft.Extensions.Options;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.DependencyInjection;

/// <summary>Checks <see cref="SentenceEmbeddingsOptions"/> when the host starts, naming each bad configuration key.</summary>
internal sealed class SentenceEmbeddingsOptionsValidator : IValidateOptions<SentenceEmbeddingsOptions>
{
    private const string Section = SentenceEmbeddingsOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SentenceEmbeddingsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach ((string tierName, EmbeddingTierOptions tier) in options.Tiers)
        {
            bool isDefault = EmbeddingTier.Defaults.Any(t => string.Equals(t.Name, tierName, StringComparison.OrdinalIgnoreCase));
            if (!isDefault && string.IsNullOrWhiteSpace(tier.ModelId))
            {
                failures.Add($"{Section}:Tiers:{tierName}:ModelId is empty; a custom tier needs a model id such as 'my-org/job-matcher'.");
            }

            if (tier.Path is not null && !Directory.Exists(tier.Path))
            {
                failures.Add($"{Section}:Tiers:{tierName}:Path '{tier.Path}' does not exist; point it at the model folder or remove it to search the models root and the HuggingFace cache.");
            }

            if (tier.OnnxVariant is { } variant && !Enum.IsDefined(variant))
            {
                failures.Add($"{Section}:Tiers:{tierName}:OnnxVariant is {variant}; it must be Fp32 or Auto.");
            }

            if (tier.MaxSequenceLength is < 2)
            {
                failures.Add($"{Section}:Tiers:{tierName}:MaxSequenceLength is {tier.MaxSequenceLength}; it must be at least 2.");
            }

            if (tier.ExecutionProvider is { } provider && !Enum.IsDefined(provider))
            {
                failures.Add($"{Section}:Tiers:{tierName}:ExecutionProvider is {provider}; it must be Cpu or Cuda.");
            }

            ValidateLongText($"{Section}:Tiers:{tierName}:", tier.LongTextMode, tier.ChunkOverlapTokens, tier.MaxChunksPerText, tier.MaxSequenceLength, failures);
            if (tier.Cuda is not null)
            {
                failures.AddRange(tier.Cuda.Validate($"{Section}:Tiers:{tierName}:Cuda:"));
            }
        }

        string[] known = [.. options.BuildTiers().Select(t => t.Name)];
        if (!known.Contains(options.DefaultTier, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{Section}:DefaultTier '{options.DefaultTier}' is not a tier; known tiers: {string.Join(", ", known)}.");
        }

        for (int i = 0; i < options.Preload.Count; i++)
        {
            if (!known.Contains(options.Preload[i], StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{Section}:Preload:{i} '{options.Preload[i]}' is not a tier; known tiers: {string.Join(", ", known)}.");
            }
        }

        if (!Enum.IsDefined(options.OnnxVariant))
        {
            failures.Add($"{Section}:OnnxVariant is {options.OnnxVariant}; it must be Fp32 or Auto.");
        }

        if (options.MaxLoadedModels < 1)
        {
            failures.Add($"{Section}:MaxLoadedModels is {options.MaxLoadedModels}; at least one model must be allowed.");
        }

        if (options.MaxMemoryBytes is < 0)
        {
            failures.Add($"{Section}:MaxMemoryBytes is {options.MaxMemoryBytes}; it must not be negative.");
        }

        if (!Enum.IsDefined(options.ExecutionProvider))
        {
            failures.Add($"{Section}:ExecutionProvider is {options.ExecutionProvider}; it must be Cpu or Cuda.");
        }

        ValidateLongText($"{Section}:", options.LongTextMode, options.ChunkOverlapTokens, options.MaxChunksPerText, window: null, failures);
        if (options.Cuda is null)
        {
            failures.Add($"{Section}:Cuda is null; leave it unset for the defaults.");
        }
        else
        {
            failures.AddRange(options.Cuda.Validate($"{Section}:Cuda:"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The window of a tier without MaxSequenceLength is known only when its model loads, which checks the overlap again.
    private static void ValidateLongText(string prefix, LongTextMode? mode, int? overlap, int? maxChunks, int? window, List<string> failures)
    {
        if (mode is { } value && !Enum.IsDefined(value))
        {
            failures.Add($"{prefix}LongTextMode is {value}; it must be Truncate, Chunk or Error.");
        }

        if (overlap is < 0)
        {
            failures.Add($"{prefix}ChunkOverlapTokens is {overlap}; it must not be negative.");
        }
        else if (overlap is int tokens && window is int length && tokens >= length - 2)
        {
            failures.Add($"{prefix}ChunkOverlapTokens is {tokens}; it must be smaller than the window of {length - 2} text tokens (MaxSequenceLength {length} less the special tokens).");
        }

        if (maxChunks is < 1)
        {
            failures.Add($"{prefix}MaxChunksPerText is {maxChunks}; it must be at least 1.");
        }
    }
}
