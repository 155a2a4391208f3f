using System.CommandLine;
using System.Text.Json;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>tokenize</c> command: JSON lines of texts in, JSON lines of token ids out, in input order; needs no ONNX file.</summary>
internal static class TokenizeCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelDir = new Option<DirectoryInfo>("--model-dir") { Description = "The model folder; its tokenizer and configuration files are enough.", Required = true };
        var input = new Option<FileInfo?>("--input") { Description = "JSON lines {\"id\": …, \"text\": …}; standard input when omitted." };
        var output = new Option<FileInfo?>("--output") { Description = "Where to write {\"id\": …, \"token_ids\": […]} lines; standard output when omitted." };
        var promptName = new Option<string?>("--prompt-name") { Description = "A prompt of config_sentence_transformers.json (e.g. query) to put before each text, as embed does." };
        var command = new Command("tokenize", "Tokenize JSON lines of texts as the model sees them (special tokens included, after truncation).") { modelDir, input, output, promptName };
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(modelDir)!, result.GetValue(input), result.GetValue(output), result.GetValue(promptName), cancellationToken));
        return command;
    }

    /// <summary>Runs the command without a prompt.</summary>
    public static Task<int> RunAsync(DirectoryInfo modelDir, FileInfo? input, FileInfo? output, CancellationToken cancellationToken) =>
        RunAsync(modelDir, input, output, promptName: null, cancellationToken);

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(DirectoryInfo modelDir, FileInfo? input, FileInfo? output, string? promptName, CancellationToken cancellationToken)
    {
        try
        {
            SentenceTokenizer tokenizer = SentenceTokenizer.Load(modelDir.FullName);
            string? prompt = string.Empty;
            if (promptName is not null && !tokenizer.Prompts.TryGetValue(promptName, out prompt))
            {
                await Console.Error.WriteLineAsync($"error: the model folder '{modelDir.FullName}' has no prompt named '{promptName}' in config_sentence_transformers.json.").ConfigureAwait(false);
                return 1;
            }

            using TextReader reader = JsonLines.OpenInput(input);
            Stream stream = JsonLines.OpenOutput(output);
            var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
            await using (stream.ConfigureAwait(false))
            await using (writer.ConfigureAwait(false))
            {
                int lineNumber = 0;
                while (await JsonLines.ReadAsync(reader, lineNumber, cancellationToken).ConfigureAwait(false) is { } record)
                {
                    lineNumber = record.LineNumber;
                    JsonLines.StartRecord(writer, record);
                    JsonLines.WriteTokenIds(writer, tokenizer.Tokenize(prompt + record.Text));
                    await JsonLines.EndRecordAsync(writer, stream, cancellationToken).ConfigureAwait(false);
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
        }
        catch (Exception exception) when (CommandErrors.IsInputProblem(exception))
        {
            return await CommandErrors.ReportAsync(exception).ConfigureAwait(false);
        }
    }
}
