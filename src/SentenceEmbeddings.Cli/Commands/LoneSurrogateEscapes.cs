using System.Text;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>Makes JSON that escapes lone UTF-16 surrogates readable by System.Text.Json, as the library reads such text: U+FFFD.</summary>
/// <remarks>Also compiled into samples/EmbeddingService, so that the service accepts what the CLI accepts.</remarks>
internal static class LoneSurrogateEscapes
{
    /// <summary>Rewrites escapes of lone UTF-16 surrogates (<c>\ud800</c> without its pair) as <c>\ufffd</c>.</summary>
    /// <remarks>Python's json.dumps writes such escapes; System.Text.Json refuses them, and the library reads a lone surrogate as U+FFFD anyway.</remarks>
    public static string Replace(string line)
    {
        if (!line.Contains("\\u", StringComparison.Ordinal))
        {
            return line;
        }

        var builder = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c != '\\' || i + 1 >= line.Length)
            {
                builder.Append(c);
                continue;
            }

            if (line[i + 1] != 'u' || !TryReadEscape(line, i, out char unit))
            {
                // Another escape (\\, \", \n …): copy both characters so an escaped backslash is never read as the start of \u.
                builder.Append(c).Append(line[i + 1]);
                i++;
                continue;
            }

            bool paired = char.IsHighSurrogate(unit) && TryReadEscape(line, i + 6, out char low) && char.IsLowSurrogate(low);
            if (paired)
            {
                builder.Append(line, i, 12);
                i += 11;
            }
            else
            {
                builder.Append(char.IsSurrogate(unit) ? "\\ufffd" : line.AsSpan(i, 6));
                i += 5;
            }
        }

        return builder.ToString();
    }

    private static bool TryReadEscape(string line, int index, out char unit)
    {
        unit = '\0';
        if (index + 6 > line.Length || line[index] != '\\' || line[index + 1] != 'u' ||
            !ushort.TryParse(line.AsSpan(index + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out ushort value))
        {
            return false;
        }

        unit = (char)value;
        return true;
    }
}
