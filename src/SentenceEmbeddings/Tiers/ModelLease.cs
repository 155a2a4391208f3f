namespace SentenceEmbeddings.Tiers;

/// <summary>One caller's hold on a loaded model; while held, the model is not unloaded.</summary>
internal sealed class ModelLease(LoadedModel model) : IDisposable
{
    private int _released;

    public LoadedModel Model { get; } = model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Exit();
        }
    }
}
