using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SentenceEmbeddings.DependencyInjection;

/// <summary>Checks the enum-valued keys of a <c>SentenceEmbeddings</c> section before binding, so that an unknown name fails naming the key, the value and the allowed names (the binder's own error names no allowed values).</summary>
internal static class ConfigurationEnumCheck
{
    private static readonly (string Key, Type Type)[] EnumKeys =
    [
        (nameof(EmbeddingEngineOptions.LongTextMode), typeof(LongTextMode)),
        (nameof(EmbeddingEngineOptions.QueueFullMode), typeof(QueueFullMode)),
        (nameof(EmbeddingEngineOptions.ThreadSpinning), typeof(ThreadSpinning)),
        (nameof(SentenceEmbeddingsOptions.OnnxVariant), typeof(OnnxVariant)),
        (nameof(SentenceEmbeddingsOptions.ExecutionProvider), typeof(ExecutionProvider)),
    ];

    /// <summary>Throws when a registry-wide or per-tier enum key holds a value that is neither one of its names nor a number.</summary>
    /// <param name="configuration">The <c>SentenceEmbeddings</c> section.</param>
    /// <exception cref="OptionsValidationException">A value names no member; the message names the key, the value and the allowed names.</exception>
    public static void ThrowIfUnknown(IConfiguration configuration)
    {
        string prefix = configuration is IConfigurationSection section ? section.Path + ":" : string.Empty;
        var failures = new List<string>();
        Check(configuration, prefix, failures);
        foreach (IConfigurationSection tier in configuration.GetSection(nameof(SentenceEmbeddingsOptions.Tiers)).GetChildren())
        {
            Check(tier, $"{prefix}Tiers:{tier.Key}:", failures);
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SentenceEmbeddingsOptions), failures);
        }
    }

    private static void Check(IConfiguration configuration, string prefix, List<string> failures)
    {
        foreach ((string key, Type type) in EnumKeys)
        {
            // Numbers bind (and the validator reports undefined ones); a name must be one of the enum's, in any case.
            string? value = configuration[key];
            if (!string.IsNullOrWhiteSpace(value) && !long.TryParse(value, out _) && !Enum.TryParse(type, value, ignoreCase: true, out _))
            {
                failures.Add($"{prefix}{key} is '{value}'; it must be one of {string.Join(", ", Enum.GetNames(type))}.");
            }
        }
    }
}
