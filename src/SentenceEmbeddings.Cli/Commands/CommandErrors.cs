namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The failures a command reports as one <c>error:</c> line and exit code 1 (a missing or malformed file or input), rather than a stack trace.</summary>
internal static class CommandErrors
{
    /// <summary>Tells whether the exception is a problem with the user's files or input.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns><see langword="true"/> for a missing file, a malformed model file, bad input data or an I/O failure.</returns>
    public static bool IsInputProblem(Exception exception) =>
        exception is FileNotFoundException or InvalidModelFileException or InvalidDataException or IOException;

    /// <summary>Writes <c>error: </c> and the message to standard error.</summary>
    /// <param name="exception">The exception whose message names the problem and the fix.</param>
    /// <returns>The exit code, 1.</returns>
    public static async Task<int> ReportAsync(Exception exception)
    {
        await Console.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
        return 1;
    }
}
