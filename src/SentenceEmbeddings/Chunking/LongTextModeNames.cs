using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Chunking;

/// <summary>The lower-case names of <see cref="LongTextMode"/> used by call options, the command line and HTTP bodies.</summary>
internal static class LongTextModeNames
{
    /// <summary>The allowed names, for messages.</summary>
    public const string Allowed = "'truncate', 'chunk' or 'error'";

    /// <summary>Returns the mode a call asks for in its additional properties, else the generator's.</summary>
    /// <param name="options">The call's options.</param>
    /// <param name="fallback">The generator's mode.</param>
    /// <param name="key">The property's key, <c>long_text</c>.</param>
    /// <returns>The mode.</returns>
    /// <exception cref="ArgumentException">The value is neither a mode nor a mode's name.</exception>
    public static LongTextMode Resolve(EmbeddingGenerationOptions? options, LongTextMode fallback, string key)
    {
        if (options?.AdditionalProperties?.TryGetValue(key, out object? requested) != true || requested is null)
        {
            return fallback;
        }

        return requested switch
        {
            LongTextMode mode when Enum.IsDefined(mode) => mode,
            string name when TryParse(name, out LongTextMode parsed) => parsed,
            _ => throw new ArgumentException($"The {key} mode '{requested}' is unknown; use {Allowed}.", nameof(options)),
        };
    }

    /// <summary>Reads a mode name, case-insensitively.</summary>
    /// <param name="value">The name.</param>
    /// <param name="mode">The mode read.</param>
    /// <returns><see langword="true"/> when the name is a mode's.</returns>
    public static bool TryParse(string? value, out LongTextMode mode)
    {
        mode = LongTextMode.Truncate;
        return value is not null
            && !int.TryParse(value, out _)
            && Enum.TryParse(value, ignoreCase: true, out mode)
            && Enum.IsDefined(mode);
    }
}
