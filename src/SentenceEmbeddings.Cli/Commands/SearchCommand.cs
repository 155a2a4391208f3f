using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Persistence;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>search</c> command: JSON lines of queries in, one line of results per query out, best first.</summary>
internal static class SearchCommand
{
    private const int ChunkSize = 256;

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var indexFile = new Option<FileInfo>("--index") { Description = "The index file `index` wrote.", Required = true };
        var modelDir = new Option<DirectoryInfo>("--model-dir") { Description = "The model folder the index was built with.", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "JSON lines {\"id\": …, \"text\": …} of queries.", Required = true };
        var output = new Option<FileInfo?>("--output") { Description = "Where to write {\"id\": …, \"results\": [{\"key\": …, \"score\": …}, …]} lines; standard output when omitted." };
        var top = new Option<int>("--top") { Description = "Results per query.", DefaultValueFactory = _ => 10 };
        var rescore = new Option<int>("--rescore") { Description = "int8/binary indexes: rescore top × N candidates with the float vectors (0: approximate scores).", DefaultValueFactory = _ => new VectorSearchOptions().RescoreMultiplier };
        var command = new Command("search", "Search an index file with JSON lines of queries.") { indexFile, modelDir, input, output, top, rescore };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(indexFile)!, result.GetValue(modelDir)!, result.GetValue(input)!, result.GetValue(output), result.GetValue(top), result.GetValue(rescore), cancellationToken));
        return command;
    }

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(FileInfo indexFile, DirectoryInfo modelDir, FileInfo input, FileInfo? output, int top, int rescore, CancellationToken cancellationToken)
    {
        try
        {
            if (top <= 0 || rescore < 0)
            {
                await Console.Error.WriteLineAsync("error: --top must be positive and --rescore 0 or more.").ConfigureAwait(false);
                return 1;
            }

            // A chunk index answers with the best chunk's range; the file says which kind it is.
            bool chunked = IndexFileReader.ReadHeader(indexFile.FullName).Chunked;
            using VectorIndex? vectorIndex = chunked ? null : VectorIndex.Load(indexFile.FullName, memoryMapped: true);
            using ChunkIndex? chunkIndex = chunked ? ChunkIndex.Load(indexFile.FullName, memoryMapped: true) : null;
            int dimensions = vectorIndex?.Dimensions ?? chunkIndex!.Dimensions;
            using var generator = new SentenceEmbeddingGenerator(modelDir.FullName);
            int? modelDimensions = generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions;
            if (modelDimensions != dimensions)
            {
                await Console.Error.WriteLineAsync($"error: '{indexFile.FullName}' holds {dimensions}-dimension vectors but the model in '{modelDir.FullName}' gives {modelDimensions}; search with the model the index was built with.").ConfigureAwait(false);
                return 1;
            }

            var options = new VectorSearchOptions { RescoreMultiplier = rescore };
            using TextReader reader = JsonLines.OpenInput(input);
            Stream stream = JsonLines.OpenOutput(output);
            var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
            await using (stream.ConfigureAwait(false))
            await using (writer.ConfigureAwait(false))
            {
                await foreach (List<InputRecord> chunk in JsonLines.ReadChunksAsync(reader, ChunkSize, cancellationToken).ConfigureAwait(false))
                {
                    GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(chunk.Select(r => r.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
                    ReadOnlyMemory<float>[] queries = [.. embeddings.Select(e => e.Vector)];
                    for (int i = 0; i < chunk.Count; i++)
                    {
                        JsonLines.StartRecord(writer, chunk[i]);
                        writer.WriteStartArray("results");
                        if (vectorIndex is not null)
                        {
                            foreach (VectorMatch match in vectorIndex.SearchBatch([queries[i]], top, options)[0])
                            {
                                WriteResult(writer, match.Key, match.Score, null);
                            }
                        }
                        else
                        {
                            foreach (ChunkMatch match in chunkIndex!.SearchBatch([queries[i]], top, options)[0])
                            {
                                WriteResult(writer, match.Key, match.Score, (match.Start, match.End));
                            }
                        }

                        writer.WriteEndArray();
                        await JsonLines.EndRecordAsync(writer, stream, cancellationToken).ConfigureAwait(false);
                    }
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (Exception exception) when (CommandErrors.IsInputProblem(exception))
        {
            return await CommandErrors.ReportAsync(exception).ConfigureAwait(false);
        }
    }

    private static void WriteResult(Utf8JsonWriter writer, string rawKey, float score, (int Start, int End)? range)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("key");
        writer.WriteRawValue(rawKey, skipInputValidation: true);
        writer.WriteNumber("score", score);
        if (range is { } r)
        {
            writer.WriteNumber("start", r.Start);
            writer.WriteNumber("end", r.End);
        }

        writer.WriteEndObject();
    }
}
