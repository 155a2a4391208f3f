using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>embed</c> command: JSON lines of texts in, JSON lines of vectors out, in input order.</summary>
internal static class EmbedCommand
{
    // Records are embedded in chunks so that memory stays flat on inputs of any size.
    private const int ChunkSize = 256;

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelDir = new Option<DirectoryInfo>("--model-dir") { Description = "The sentence-transformers model folder (with its ONNX export).", Required = true };
        var input = new Option<FileInfo?>("--input") { Description = "JSON lines {\"id\": …, \"text\": …}; standard input when omitted." };
        var output = new Option<FileInfo?>("--output") { Description = "Where to write {\"id\": …, \"embedding\": […]} lines; standard output when omitted." };
        var withTokens = new Option<bool>("--with-tokens") { Description = "Add \"token_ids\" (special tokens included, after truncation) to each line." };
        Option<string> longText = LongTextOption.Create();
        var withChunks = new Option<bool>("--with-chunks")
        {
            Description = "With --long-text chunk, add \"chunks\": [{\"start\", \"end\" (UTF-16 indices into the text), \"token_count\", \"embedding\"}] to each line.",
        };
        var command = new Command("embed", "Embed JSON lines of texts and write JSON lines of vectors, in input order.") { modelDir, input, output, withTokens, longText, withChunks };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(modelDir)!, result.GetValue(input), result.GetValue(output), result.GetValue(withTokens), cancellationToken, result.GetValue(longText)!, result.GetValue(withChunks)));
        return command;
    }

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(
        DirectoryInfo modelDir, FileInfo? input, FileInfo? output, bool withTokens, CancellationToken cancellationToken, string longText = "truncate", bool withChunks = false)
    {
        if (withChunks && longText != LongTextOption.Chunk)
        {
            await Console.Error.WriteLineAsync($"error: --with-chunks needs --long-text chunk (it is '{longText}').").ConfigureAwait(false);
            return 1;
        }

        try
        {
            using var generator = new SentenceEmbeddingGenerator(modelDir.FullName);
            using TextReader reader = JsonLines.OpenInput(input);
            Stream stream = JsonLines.OpenOutput(output);
            var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
            await using (stream.ConfigureAwait(false))
            await using (writer.ConfigureAwait(false))
            {
                var chunk = new List<InputRecord>(ChunkSize);
                int lineNumber = 0;
                int embedded = 0;

                // Progress on standard error, redrawn in place, when a person is watching and the vectors go elsewhere.
                bool showProgress = input is not null && !Console.IsErrorRedirected;
                long inputBytes = input?.Length ?? 0;
                while (true)
                {
                    InputRecord? record = await JsonLines.ReadAsync(reader, lineNumber, cancellationToken).ConfigureAwait(false);
                    if (record is not null)
                    {
                        lineNumber = record.LineNumber;
                        chunk.Add(record);
                    }

                    if (chunk.Count == ChunkSize || (record is null && chunk.Count > 0))
                    {
                        await WriteChunkAsync(generator, chunk, new LineOptions(withTokens, longText, withChunks), writer, stream, cancellationToken).ConfigureAwait(false);
                        embedded += chunk.Count;
                        chunk.Clear();
                        if (showProgress && reader is StreamReader { BaseStream: { } source } && inputBytes > 0)
                        {
                            Console.Error.Write($"\rembedded {embedded} texts, {100.0 * source.Position / inputBytes:F0} % of {input!.Name}   ");
                        }
                    }

                    if (record is null)
                    {
                        if (showProgress)
                        {
                            Console.Error.WriteLine($"\rembedded {embedded} texts from {input!.Name}          ");
                        }

                        return 0;
                    }
                }
            }
        }
        catch (Exception exception) when (CommandErrors.IsInputProblem(exception))
        {
            return await CommandErrors.ReportAsync(exception).ConfigureAwait(false);
        }
    }

    private static async Task WriteChunkAsync(SentenceEmbeddingGenerator generator, List<InputRecord> chunk, LineOptions line, Utf8JsonWriter writer, Stream stream, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<float>[] vectors;
        IReadOnlyList<ChunkedEmbedding>? chunked = null;
        try
        {
            if (line.WithChunks)
            {
                chunked = await generator.GenerateChunksAsync(chunk.Select(r => r.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
                vectors = [.. chunked.Select(c => c.Vector)];
            }
            else
            {
                GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(chunk.Select(r => r.Text), LongTextOption.CallOptions(line.LongText), cancellationToken).ConfigureAwait(false);
                vectors = [.. embeddings.Select(e => e.Vector)];
            }
        }
        catch (TextTooLongException exception)
        {
            throw new InvalidDataException($"Line {chunk[exception.TextIndex].LineNumber}: {exception.Message}", exception);
        }

        for (int i = 0; i < chunk.Count; i++)
        {
            JsonLines.StartRecord(writer, chunk[i]);
            WriteVector(writer, "embedding", vectors[i].Span);
            if (chunked is not null)
            {
                writer.WriteStartArray("chunks");
                foreach (TextChunk piece in chunked[i].Chunks)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("start", piece.Start);
                    writer.WriteNumber("end", piece.End);
                    writer.WriteNumber("token_count", piece.TokenCount);
                    WriteVector(writer, "embedding", piece.Vector.Span);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (line.WithTokens)
            {
                JsonLines.WriteTokenIds(writer, generator.Tokenizer.Tokenize(chunk[i].Text));
            }

            await JsonLines.EndRecordAsync(writer, stream, cancellationToken).ConfigureAwait(false);
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteVector(Utf8JsonWriter writer, string name, ReadOnlySpan<float> vector)
    {
        writer.WriteStartArray(name);
        foreach (float value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>What each output line holds besides the id and the vector.</summary>
    private readonly record struct LineOptions(bool WithTokens, string LongText, bool WithChunks);
}
