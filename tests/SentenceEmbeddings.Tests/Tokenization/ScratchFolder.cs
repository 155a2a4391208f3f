namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>An empty temporary folder for one test, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wordpiece-test-" + Guid.NewGuid().ToString("N"));

    public ScratchFolder() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
