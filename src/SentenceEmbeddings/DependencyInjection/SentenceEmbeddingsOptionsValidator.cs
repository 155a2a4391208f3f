using Microsoft.Extensions.Options;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.DependencyInjection;

/// <summary>Checks <see cref="SentenceEmbeddingsOptions"/> when the host starts (and when a registry is built in code), naming each bad configuration key.</summary>
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

            EngineOptionRules.Check(tier, $"{Section}:Tiers:{tierName}:", failures);
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

        if (options.MaxLoadedModels < 1)
        {
            failures.Add($"{Section}:MaxLoadedModels is {options.MaxLoadedModels}; at least one model must be allowed.");
        }

        if (options.MaxMemoryBytes is < 0)
        {
            failures.Add($"{Section}:MaxMemoryBytes is {options.MaxMemoryBytes}; it must not be negative.");
        }

        if (options.Cuda is null)
        {
            failures.Add($"{Section}:Cuda is null; leave it unset for the defaults.");
        }

        EngineOptionRules.Check(options, $"{Section}:", failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
