using System.Diagnostics;
using System.Net;

namespace SentenceEmbeddings.Tests.Hub;

/// <summary>Makes a fake hub serve its ONNX file slowly (a multi-GB download in miniature), and measures how fast a cancellation stops it.</summary>
internal sealed class TricklingModel
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clientGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FakeHub _hub;

    public TricklingModel(FakeHub hub)
    {
        _hub = hub;
        hub.Intercept = Intercept;
    }

    /// <summary>Gets a task that completes once the first 64 KB of the ONNX file are sent.</summary>
    public Task Started => _started.Task;

    /// <summary>Serves every file as usual again.</summary>
    public void Stop() => _hub.Intercept = null;

    /// <summary>Cancels, then waits until <paramref name="operation"/> has failed with <typeparamref name="TException"/> and the client
    /// has closed the transfer (the download itself stopped, not only the wait for it).</summary>
    /// <returns>The time from the cancellation to both.</returns>
    public async Task<TimeSpan> CancelAndWaitAsync<TException>(Action cancel, Task operation)
        where TException : Exception
    {
        var clock = Stopwatch.StartNew();
        cancel();
        await Assert.ThrowsAnyAsync<TException>(() => operation);
        await _clientGone.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return clock.Elapsed;
    }

    private bool Intercept(HttpListenerContext context, string path)
    {
        if (!path.EndsWith("onnx/model.onnx", StringComparison.Ordinal) || context.Request.HttpMethod != "GET")
        {
            return false;
        }

        FakeHub.Trickle(context, Path.Combine(TestModels.MiniLM, "onnx", "model.onnx"), _started, _clientGone);
        return true;
    }
}
