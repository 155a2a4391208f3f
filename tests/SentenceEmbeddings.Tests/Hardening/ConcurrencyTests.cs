using Microsoft.Extensions.AI;
using SentenceEmbeddings.Tests.Tiers;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.Hardening;

/// <summary>Many threads, two models, cancellations and an unload/reload in the middle: every result equals the sequential one.</summary>
public sealed class ConcurrencyTests
{
    // Generous: it only turns a deadlock into a failure instead of a hung run; nothing is asserted about speed.
    private static readonly TimeSpan DeadlockLimit = TimeSpan.FromMinutes(20);

    private static readonly string[] Texts =
    [
        .. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "short.txt")).Take(24),
        .. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "zh.txt")).Take(4),
        .. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt")).Take(2).Select(t => t[..Math.Min(t.Length, 200)]),
        "", "a\ud800b", "x\u200dy",
    ];

    [Fact]
    public Task Registry_32ThreadsMixedCallsWithUnloadAndReload_EqualTheSequentialResults() => RunRegistryStorm(threads: 32, callsPerThread: 12);

    [Fact]
    [Trait("Category", "Long")]
    public Task Registry_32ThreadsThousandsOfCallsWithUnloadAndReload_EqualTheSequentialResults() => RunRegistryStorm(threads: 32, callsPerThread: 200);

    [Fact]
    public async Task Generator_DisposedUnderLoad_OnlyThrowsObjectDisposedExceptionAfterDispose()
    {
        Dictionary<string, float[]> sequential = await SequentialVectors(TestModels.MiniLM);
        var generator = new SentenceEmbeddingGenerator(TestModels.MiniLM);
        int disposeStarted = 0;
        int completed = 0, disposedAfter = 0;
        int started = 0;
        var halfway = new TaskCompletionSource();

        Task[] callers = [.. Enumerable.Range(0, 16).Select(thread => Task.Run(async () =>
        {
            var random = new Random(thread);
            for (int call = 0; call < 12; call++)
            {
                string[] batch = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Texts[random.Next(Texts.Length)])];
                try
                {
                    GeneratedEmbeddings<Embedding<float>> e = await generator.GenerateAsync(batch);
                    AssertSequential(sequential, batch, e);
                    Interlocked.Increment(ref completed);
                }
                catch (ObjectDisposedException)
                {
                    // Allowed only once Dispose has begun.
                    Assert.Equal(1, Volatile.Read(ref disposeStarted));
                    Interlocked.Increment(ref disposedAfter);
                }

                if (Interlocked.Increment(ref started) == 16 * 4)
                {
                    halfway.SetResult();
                }
            }
        }))];

        // A failing caller must not leave the test waiting for a halfway point that never comes.
        await Task.WhenAny(halfway.Task, Task.WhenAll(callers)).WaitAsync(DeadlockLimit);
        Volatile.Write(ref disposeStarted, 1);
        generator.Dispose();
        await Task.WhenAll(callers).WaitAsync(DeadlockLimit);

        Assert.Equal(16 * 12, completed + disposedAfter);
        Assert.True(completed >= 16 * 4, $"{completed} completed");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["after"]));
    }

    private static async Task RunRegistryStorm(int threads, int callsPerThread)
    {
        Dictionary<string, float[]> miniSequential = await SequentialVectors(TestModels.MiniLM);
        Dictionary<string, float[]> arcticSequential = await SequentialVectors(TestModels.Arctic);
        var registry = new EmbeddingTierRegistry(EmbeddingTierRegistryTests.OptionsWith(("mini", TestModels.MiniLM), ("arctic", TestModels.Arctic)));
        IEmbeddingGenerator<string, Embedding<float>>[] generators = [registry.GetGenerator("mini"), registry.GetGenerator("arctic")];
        Dictionary<string, float[]>[] expected = [miniSequential, arcticSequential];
        int total = threads * callsPerThread;
        int done = 0, cancelled = 0;
        var halfway = new TaskCompletionSource();

        Task[] callers = [.. Enumerable.Range(0, threads).Select(thread => Task.Run(async () =>
        {
            var random = new Random(thread);
            for (int call = 0; call < callsPerThread; call++)
            {
                int model = random.Next(2);
                string[] batch = [.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => Texts[random.Next(Texts.Length)])];

                // One call in eight is cancelled, before it starts or while it runs.
                using var cancellation = new CancellationTokenSource();
                int kind = random.Next(16);
                if (kind == 0)
                {
                    await cancellation.CancelAsync();
                }
                else if (kind == 1)
                {
                    cancellation.CancelAfter(random.Next(0, 20));
                }

                try
                {
                    GeneratedEmbeddings<Embedding<float>> e = await generators[model].GenerateAsync(batch, cancellationToken: cancellation.Token);
                    AssertSequential(expected[model], batch, e);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    Interlocked.Increment(ref cancelled);
                }

                if (Interlocked.Increment(ref done) == total / 2)
                {
                    halfway.SetResult();
                }
            }
        }))];

        // In the middle: unload one model under load, and load it again while calls go on.
        await Task.WhenAny(halfway.Task, Task.WhenAll(callers)).WaitAsync(DeadlockLimit);
        registry.Unload("mini");
        await registry.LoadAsync("mini");
        registry.Unload("arctic");

        await Task.WhenAll(callers).WaitAsync(DeadlockLimit);
        Assert.Equal(total, done);
        Assert.True(cancelled < total / 4, $"{cancelled} of {total} cancelled");

        // Disposed, the registry refuses new calls with ObjectDisposedException, and only then.
        registry.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generators[0].GenerateAsync(["after"]));
    }

    private static void AssertSequential(Dictionary<string, float[]> expected, string[] batch, GeneratedEmbeddings<Embedding<float>> e)
    {
        Assert.Equal(batch.Length, e.Count);
        for (int i = 0; i < batch.Length; i++)
        {
            float difference = VectorMath.MaxAbsDifference(expected[batch[i]], e[i].Vector.Span);
            Assert.True(difference <= 1e-5f, $"'{batch[i]}': max abs difference {difference}");
        }
    }

    private static async Task<Dictionary<string, float[]>> SequentialVectors(string model)
    {
        using var generator = new SentenceEmbeddingGenerator(model);
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string text in Texts.Distinct())
        {
            vectors[text] = (await generator.GenerateVectorAsync(text)).ToArray();
        }

        return vectors;
    }
}
