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
        var command = new Command("index", "Embed JSON lines of documents into an index file for `search`.") { modelDir, input, output, vectors };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(modelDir)!, result.GetValue(input)!, result.GetValue(output)!, result.GetValue(vectors)!, cancellationToken));
        return command;
    }

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(DirectoryInfo modelDir, FileInfo input, FileInfo output, string vectors, CancellationToken cancellationToken)
    {
        try
        {
            VectorEncoding encoding = vectors switch { "int8" => VectorEncoding.Int8, "binary" => VectorEncoding.Binary, _ => VectorEncoding.Float32 };
            using var generator = new SentenceEmbeddingGenerator(modelDir.FullName);
            int dimensions = generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
                ?? throw new InvalidDataException($"The model in '{modelDir.FullName}' does not tell its dimensions.");
            using var index = new VectorIndex(dimensions, new VectorIndexOptions { Encoding = encoding });
            using TextReader reader = JsonLines.OpenInput(input);
            await foreach (List<InputRecord> chunk in JsonLines.ReadChunksAsync(reader, ChunkSize, cancellationToken).ConfigureAwait(false))
            {
                GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(chunk.Select(r => r.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < chunk.Count; i++)
                {
                    index.Add(chunk[i].RawId, embeddings[i].Vector.Span);
                }
            }

            if (index.Count == 0)
            {
                await Console.Error.WriteLineAsync($"error: '{input.FullName}' has no documents; give one {{\"id\": …, \"text\": …}} object per line.").ConfigureAwait(false);
                return 1;
            }

            index.Save(output.FullName);
            await Console.Error.WriteLineAsync($"indexed {index.Count} documents ({vectors}) into {output.FullName}").ConfigureAwait(false);
            return 0;
        }
        catch (Exception exception) when (exception is FileNotFoundException or InvalidModelFileException or InvalidDataException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
