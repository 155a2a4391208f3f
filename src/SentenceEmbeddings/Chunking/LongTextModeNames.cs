namespace SentenceEmbeddings.Chunking;

/// <summary>The lower-case names of <see cref="LongTextMode"/> used by call options, the command line and HTTP bodies.</summary>
internal static class LongTextModeNames
{
    /// <summary>The allowed names, for messages.</summary>
    public const string Allowed = "'truncate', 'chunk' or 'error'";

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
