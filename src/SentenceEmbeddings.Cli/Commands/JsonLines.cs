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
            using JsonDocument document = JsonDocument.Parse(LoneSurrogateEscapes.Replace(line));
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
}
