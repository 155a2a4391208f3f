using System.CommandLine;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>index</c> command: JSON lines of documents in, an index file out (keys are the documents' ids as JSON text).</summary>
internal static class IndexCommand
{
    private const int ChunkSize = 256;

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelDir = new Option<DirectoryInfo>("--model-dir") { Description = "The sentence-transformers model folder (with its ONNX export).", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "JSON lines {\"id\": …, \"text\": …}; a repeated id replaces the earlier line.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "The index file to write.", Required = true };
        var vectors = new Option<string>("--vectors") { Description = "How the index keeps the vectors it scans: float (exact), int8 or binary (rescored with floats at search).", DefaultValueFactory = _ => "float" };
        vectors.AcceptOnlyFromAmong("float", "int8", "binary");
        Option<string> longText = LongTextOption.Create();
        var command = new Command("index", "Embed JSON lines of documents into an index file for `search`; with --long-text chunk, one vector per chunk, documents scored by their best chunk.") { modelDir, input, output, vectors, longText };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(modelDir)!, result.GetValue(input)!, result.GetValue(output)!, result.GetValue(vectors)!, result.GetValue(longText)!, cancellationToken));
        return command;
    }

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(DirectoryInfo modelDir, FileInfo input, FileInfo output, string vectors, string longText, CancellationToken cancellationToken)
    {
        try
        {
            VectorEncoding encoding = vectors switch { "int8" => VectorEncoding.Int8, "binary" => VectorEncoding.Binary, _ => VectorEncoding.Float32 };
            using var generator = new SentenceEmbeddingGenerator(modelDir.FullName);
            int dimensions = generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
                ?? throw new InvalidDataException($"The model in '{modelDir.FullName}' does not tell its dimensions.");
            var indexOptions = new VectorIndexOptions { Encoding = encoding };
            EmbeddingGenerationOptions callOptions = LongTextOption.CallOptions(longText);
            using TextReader reader = JsonLines.OpenInput(input);
            if (longText == LongTextOption.Chunk)
            {
                // One vector per chunk, grouped by document: `search` scores a document by its best chunk and reports its range.
                using var chunkIndex = new ChunkIndex(dimensions, indexOptions);
                await foreach (List<InputRecord> batch in JsonLines.ReadChunksAsync(reader, ChunkSize, cancellationToken).ConfigureAwait(false))
                {
                    IReadOnlyList<ChunkedEmbedding> documents = await generator.GenerateChunksAsync(batch.Select(r => r.Text), callOptions, cancellationToken).ConfigureAwait(false);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        chunkIndex.Add(batch[i].RawId, [.. documents[i].Chunks.Select(c => new ChunkVector { Start = c.Start, End = c.End, Vector = c.Vector })]);
                    }
                }

                return await SaveAsync(chunkIndex.Count, () => chunkIndex.Save(output.FullName), input, output, vectors + ", chunks").ConfigureAwait(false);
            }

            using var index = new VectorIndex(dimensions, indexOptions);
            await foreach (List<InputRecord> batch in JsonLines.ReadChunksAsync(reader, ChunkSize, cancellationToken).ConfigureAwait(false))
            {
                GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(batch.Select(r => r.Text), callOptions, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++)
                {
                    index.Add(batch[i].RawId, embeddings[i].Vector.Span);
                }
            }

            return await SaveAsync(index.Count, () => index.Save(output.FullName), input, output, vectors).ConfigureAwait(false);
        }
        catch (TextTooLongException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message} Use --long-text chunk or truncate.").ConfigureAwait(false);
            return 1;
        }
        catch (Exception exception) when (CommandErrors.IsInputProblem(exception))
        {
            return await CommandErrors.ReportAsync(exception).ConfigureAwait(false);
        }
    }

    private static async Task<int> SaveAsync(int count, Action save, FileInfo input, FileInfo output, string kind)
    {
        if (count == 0)
        {
            await Console.Error.WriteLineAsync($"error: '{input.FullName}' has no documents; give one {{\"id\": …, \"text\": …}} object per line.").ConfigureAwait(false);
            return 1;
        }

        save();
        await Console.Error.WriteLineAsync($"indexed {count} documents ({kind}) into {output.FullName}").ConfigureAwait(false);
        return 0;
    }
}
