using System.Text;
using System.Text.Json;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>Reads the JSON-lines input of the commands: one <c>{"id": …, "text": …}</c> object per line.</summary>
internal static class JsonLines
{
    /// <summary>Opens the input file, or standard input when none is given.</summary>
    public static TextReader OpenInput(FileInfo? input) => input is null
        ? new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false))
        : new StreamReader(input.FullName, new UTF8Encoding(false));

    /// <summary>Opens the output file, or standard output when none is given.</summary>
    public static Stream OpenOutput(FileInfo? output) => output is null ? Console.OpenStandardOutput() : File.Create(output.FullName);

    /// <summary>Starts an output record: <c>{"id": …</c> with the id exactly as it was read.</summary>
    public static void StartRecord(Utf8JsonWriter writer, InputRecord record)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("id");
        writer.WriteRawValue(record.RawId, skipInputValidation: true);
    }

    /// <summary>Writes <c>"token_ids": […]</c>.</summary>
    public static void WriteTokenIds(Utf8JsonWriter writer, ReadOnlySpan<long> ids)
    {
        writer.WriteStartArray("token_ids");
        foreach (long id in ids)
        {
            writer.WriteNumberValue(id);
        }

        writer.WriteEndArray();
    }

    /// <summary>Ends an output record and its line.</summary>
    public static async Task EndRecordAsync(Utf8JsonWriter writer, Stream stream, CancellationToken cancellationToken)
    {
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.WriteByte((byte)'\n');
        writer.Reset();
    }

    /// <summary>Reads the next input record, skipping blank lines.</summary>
    /// <returns>The record, or <see langword="null"/> at the end of the input.</returns>
    /// <exception cref="InvalidDataException">A line is not a JSON object with a string <c>text</c>.</exception>
    public static async Task<InputRecord?> ReadAsync(TextReader reader, int lineNumber, CancellationToken cancellationToken)
    {
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                return Parse(line, lineNumber);
            }
        }

        return null;
    }

    /// <summary>Reads the input records in lists of at most <paramref name="size"/>.</summary>
    public static async IAsyncEnumerable<List<InputRecord>> ReadChunksAsync(TextReader reader, int size, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = new List<InputRecord>(size);
        int lineNumber = 0;
        while (await ReadAsync(reader, lineNumber, cancellationToken).ConfigureAwait(false) is { } record)
        {
            lineNumber = record.LineNumber;
            chunk.Add(record);
            if (chunk.Count == size)
            {
                yield return chunk;
                chunk = new List<InputRecord>(size);
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>Parses one input line.</summary>
    public static InputRecord Parse(string line, int lineNumber)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(ReplaceLoneSurrogateEscapes(line));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out JsonElement text) || text.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"Line {lineNumber}: expected a JSON object with a string \"text\", like {{\"id\": 1, \"text\": \"hello\"}}.");
            }

            // The id is echoed back as it was written: a string, a number, or anything else.
            string id = root.TryGetProperty("id", out JsonElement idElement) ? idElement.GetRawText() : "null";

            return new InputRecord(id, text.GetString()!, lineNumber);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Line {lineNumber}: not valid JSON ({exception.Message}).", exception);
        }
    }

    /// <summary>Rewrites escapes of lone UTF-16 surrogates (<c>\ud800</c> without its pair) as <c>\ufffd</c>.</summary>
    /// <remarks>Python's json.dumps writes such escapes; System.Text.Json refuses them, and the library reads a lone surrogate as U+FFFD anyway.</remarks>
    internal static string ReplaceLoneSurrogateEscapes(string line)
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
