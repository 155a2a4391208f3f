using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Tests.Inference;

namespace SentenceEmbeddings.Tests.Batching;

public sealed class BatchSchedulerTests
{
    [Fact]
    public void LongestFirst_SortsByLengthWithTiesInInputOrder()
    {
        int[] order = new int[5];

        LengthOrder.LongestFirst([5, 9, 5, 2, 9], order);

        Assert.Equal([1, 4, 0, 2, 3], order);
    }

    [Fact]
    public async Task RunAsync_LoneRequest_RunsLongestFirstWithinBudget()
    {
        var batches = new List<(int[] Lengths, int SequenceLength)>();
        using var scheduler = new BatchScheduler(new FakeEmbeddingBackend((batch, length) => batches.Add(([.. batch.ToArray().Select(t => t.Length)], length))), maxBatchTokens: 200, maxBatchSize: 64, maxQueuedTexts: 1000, QueueFullMode.Wait, TimeSpan.Zero);

        await scheduler.RunAsync(Request(100, 10, 10, 10, 10, 10, 100, 50), CancellationToken.None);

        // Rounds of at most 200 unpadded tokens ([100, 100], then the rest), each split where padding costs more than a run.
        Assert.Equal([[100, 100], [50], [10, 10, 10, 10, 10]], batches.Select(b => b.Lengths));
        Assert.Equal([100, 50, 10], batches.Select(b => b.SequenceLength));
        Assert.All(batches, b => Assert.True(b.Lengths.Length * b.SequenceLength <= 200));
    }

    [Fact]
    public async Task RunAsync_TextLongerThanBudget_GetsItsOwnBatch_AndMaxBatchSizeHolds()
    {
        var sizes = new List<int>();
        using var scheduler = new BatchScheduler(new FakeEmbeddingBackend((batch, _) => sizes.Add(batch.Length)), maxBatchTokens: 100, maxBatchSize: 4, maxQueuedTexts: 1000, QueueFullMode.Wait, TimeSpan.Zero);

        await scheduler.RunAsync(Request(512, 3, 3, 3, 3, 3, 3), CancellationToken.None);

        Assert.Equal([1, 4, 2], sizes);
    }

    [Fact]
    public async Task RunAsync_CallsArrivingDuringABatch_ShareTheNextBatch()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        var batches = new List<HashSet<EmbeddingRequest>>();
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((batch, _) =>
            {
                batches.Add([.. batch.ToArray().Select(t => t.Request)]);
                if (batches.Count == 1)
                {
                    firstBatchRunning.Set();
                    releaseFirstBatch.Wait();
                }
            }),
            maxBatchTokens: 1000,
            maxBatchSize: 64,
            maxQueuedTexts: 1000,
            QueueFullMode.Wait,
            TimeSpan.Zero);

        Task first = Task.Run(() => scheduler.RunAsync(Request(5), CancellationToken.None));
        firstBatchRunning.Wait();
        EmbeddingRequest[] late = [Request(7), Request(3), Request(4, 4)];
        Task[] lateCalls = [.. late.Select(r => scheduler.RunAsync(r, CancellationToken.None))];
        await Task.Delay(50);
        releaseFirstBatch.Set();
        await Task.WhenAll([first, .. lateCalls]);

        Assert.Equal(2, batches.Count);
        Assert.Equal(late.ToHashSet(), batches[1]);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileQueued_LeavesTheQueue()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        var seen = new List<EmbeddingRequest>();
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((batch, _) =>
            {
                seen.AddRange(batch.ToArray().Select(t => t.Request));
                firstBatchRunning.Set();
                releaseFirstBatch.Wait();
            }),
            maxBatchTokens: 1000,
            maxBatchSize: 1,
            maxQueuedTexts: 1000,
            QueueFullMode.Wait,
            TimeSpan.Zero);
        Task first = Task.Run(() => scheduler.RunAsync(Request(5), CancellationToken.None));
        firstBatchRunning.Wait();
        using var cancellation = new CancellationTokenSource();
        EmbeddingRequest cancelled = Request(6, 6, 6);
        Task queued = scheduler.RunAsync(cancelled, cancellation.Token);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        releaseFirstBatch.Set();
        await first;
        await scheduler.RunAsync(Request(1), CancellationToken.None);

        Assert.DoesNotContain(cancelled, seen);
    }

    [Fact]
    public async Task RunAsync_EveryCallOfTheRunningBatchCancelled_AbandonsTheBatch()
    {
        using var batchRunning = new ManualResetEventSlim();
        FakeEmbeddingBackend backend = null!;
        bool stopped = false;
        int batches = 0;
        backend = new FakeEmbeddingBackend((_, _) =>
        {
            if (Interlocked.Increment(ref batches) > 1)
            {
                return;
            }

            batchRunning.Set();

            // As ONNX Runtime does with its terminate flag: the run stops once the token says no one waits.
            stopped = backend.Abandoned.WaitHandle.WaitOne(HangGuard);
            backend.Abandoned.ThrowIfCancellationRequested();
        });
        using var scheduler = new BatchScheduler(backend, maxBatchTokens: 1000, maxBatchSize: 8, maxQueuedTexts: 1000, QueueFullMode.Wait, TimeSpan.Zero);
        using var cancellation = new CancellationTokenSource();
        EmbeddingRequest cancelled = Request(3, 3);

        Task call = Task.Run(() => scheduler.RunAsync(cancelled, cancellation.Token));
        batchRunning.Wait(HangGuard);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        EmbeddingRequest next = Request(2);
        await scheduler.RunAsync(next, CancellationToken.None).WaitAsync(HangGuard);
        Assert.True(stopped);
        Assert.False(backend.Abandoned.IsCancellationRequested); // the next batch got a fresh token
        Assert.Equal(FakeEmbeddingBackend.VectorOf([1, 2], 4), next.Vectors[0]);
    }

    [Fact]
    public async Task RunAsync_OneOfTwoCallsInTheRunningBatchCancelled_RunsTheBatchOn()
    {
        using var firstRunning = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        using var sharedRunning = new ManualResetEventSlim();
        using var releaseShared = new ManualResetEventSlim();
        FakeEmbeddingBackend backend = null!;
        CancellationToken seen = default;
        int batches = 0;
        backend = new FakeEmbeddingBackend((_, _) =>
        {
            // The first batch holds the runner while both calls queue, so that they share the second.
            (ManualResetEventSlim running, ManualResetEventSlim release) = Interlocked.Increment(ref batches) == 1 ? (firstRunning, releaseFirst) : (sharedRunning, releaseShared);
            seen = backend.Abandoned;
            running.Set();
            release.Wait(HangGuard);
        });
        using var scheduler = new BatchScheduler(backend, maxBatchTokens: 1000, maxBatchSize: 8, maxQueuedTexts: 1000, QueueFullMode.Wait, TimeSpan.Zero);
        Task first = Task.Run(() => scheduler.RunAsync(Request(1), CancellationToken.None));
        firstRunning.Wait(HangGuard);
        using var cancellation = new CancellationTokenSource();
        EmbeddingRequest kept = Request(4);
        Task keptCall = scheduler.RunAsync(kept, CancellationToken.None);
        Task cancelledCall = scheduler.RunAsync(Request(4), cancellation.Token);

        releaseFirst.Set();
        sharedRunning.Wait(HangGuard);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledCall.WaitAsync(HangGuard));

        Assert.False(seen.IsCancellationRequested);
        releaseShared.Set();
        await Task.WhenAll(first, keptCall).WaitAsync(HangGuard);
        Assert.Equal(2, backend.Batches[1].Length);
        Assert.Equal(FakeEmbeddingBackend.VectorOf([1, 2, 3, 4], 4), kept.Vectors[0]);
    }

    [Fact]
    public async Task RunAsync_CallsCancelledAtRandomWhileBatchesRun_EveryOtherCallGetsItsVectorsAndTheQueueEmpties()
    {
        // Batches take a while and stop when abandoned, as the ONNX Runtime backend does; a quarter of the calls are cancelled at
        // random moments: while queued, while a batch of theirs runs beside other calls' texts, or (now and then) alone in one.
        FakeEmbeddingBackend backend = null!;
        backend = new FakeEmbeddingBackend((_, _) =>
        {
            CancellationToken abandoned = backend.Abandoned;
            if (abandoned.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(5)))
            {
                abandoned.ThrowIfCancellationRequested();
            }
        });
        using var scheduler = new BatchScheduler(backend, maxBatchTokens: 64, maxBatchSize: 8, maxQueuedTexts: 1000, QueueFullMode.Wait, TimeSpan.Zero);
        var random = new Random(16);
        (EmbeddingRequest Request, CancellationTokenSource? Cancellation, int Delay)[] calls = [.. Enumerable.Range(0, 32).Select(i =>
        {
            // The calls to cancel are the larger ones, so that batches of theirs alone run (and are abandoned) once the small calls are done.
            bool cancelled = i % 4 == 0;
            int[] lengths = [.. Enumerable.Range(0, cancelled ? random.Next(40, 60) : random.Next(1, 10)).Select(_ => random.Next(1, 9))];
            return (Request(lengths), cancelled ? new CancellationTokenSource() : null, random.Next(10, 150));
        })];

        Task[] running = [.. calls.Select(c => Task.Run(() => scheduler.RunAsync(c.Request, c.Cancellation?.Token ?? CancellationToken.None)))];
        await Task.WhenAll(calls.Where(c => c.Cancellation is not null).Select(async c =>
        {
            await Task.Delay(c.Delay);
            await c.Cancellation!.CancelAsync();
        }));
        for (int i = 0; i < calls.Length; i++)
        {
            if (calls[i].Cancellation is null)
            {
                await running[i].WaitAsync(HangGuard);
                EmbeddingRequest request = calls[i].Request;
                for (int t = 0; t < request.Lengths.Length; t++)
                {
                    Assert.Equal(FakeEmbeddingBackend.VectorOf(request.TokenIds.AsSpan(request.Offsets[t], request.Lengths[t]), 4), request.Vectors[t]);
                }
            }
            else
            {
                // Cancelled before or after its vectors were done: either ending is right, a hang is not.
                await Task.WhenAny(running[i]).WaitAsync(HangGuard);
                Assert.True(running[i].IsCompletedSuccessfully || running[i].IsCanceled, running[i].Exception?.ToString());
                calls[i].Cancellation!.Dispose();
            }
        }

        Assert.Equal(0, scheduler.QueuedTexts);
        EmbeddingRequest after = Request(3);
        await scheduler.RunAsync(after, CancellationToken.None).WaitAsync(HangGuard);
        Assert.Equal(FakeEmbeddingBackend.VectorOf([1, 2, 3], 4), after.Vectors[0]);
    }

    [Fact]
    public async Task RunAsync_QueueFullInFailMode_ThrowsEmbeddingQueueFullException()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        using var failing = new BatchScheduler(
            new FakeEmbeddingBackend((_, _) =>
            {
                firstBatchRunning.Set();
                releaseFirstBatch.Wait();
            }),
            1000,
            maxBatchSize: 1,
            maxQueuedTexts: 2,
            QueueFullMode.Fail,
            TimeSpan.Zero);
        Task running = Task.Run(() => failing.RunAsync(Request(1), CancellationToken.None));
        firstBatchRunning.Wait();
        Task queued = failing.RunAsync(Request(1, 1), CancellationToken.None);

        EmbeddingQueueFullException exception = await Assert.ThrowsAsync<EmbeddingQueueFullException>(() => failing.RunAsync(Request(1), CancellationToken.None));
        Assert.Contains("2 texts waiting", exception.Message, StringComparison.Ordinal);

        releaseFirstBatch.Set();
        await Task.WhenAll(running, queued);
    }

    [Fact]
    public async Task RunAsync_QueueFullInWaitMode_RunsOnceThereIsRoom()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseBatches = new ManualResetEventSlim();
        using var waiting = new BatchScheduler(
            new FakeEmbeddingBackend((_, _) =>
            {
                firstBatchRunning.Set();
                releaseBatches.Wait();
            }),
            1000,
            maxBatchSize: 1,
            maxQueuedTexts: 2,
            QueueFullMode.Wait,
            TimeSpan.Zero);
        Task running = Task.Run(() => waiting.RunAsync(Request(1), CancellationToken.None));
        firstBatchRunning.Wait();
        Task queued = waiting.RunAsync(Request(1, 1), CancellationToken.None);

        Task third = waiting.RunAsync(Request(1, 1), CancellationToken.None);
        await Task.Delay(50);

        // The third call's texts are not in the queue yet: without the bound, 4 texts would wait.
        Assert.Equal(2, waiting.QueuedTexts);
        Assert.False(third.IsCompleted);
        releaseBatches.Set();
        await Task.WhenAll(running, queued, third).WaitAsync(HangGuard);
        Assert.Equal(0, waiting.QueuedTexts);
    }

    [Fact]
    public async Task RunAsync_BatchFailsInAMultiRoundCall_ReleasesTheCallsQueuedRoom()
    {
        int batches = 0;
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((batch, _) =>
            {
                if (Interlocked.Increment(ref batches) == 2)
                {
                    throw new InvalidOperationException("model broke");
                }
            }),
            maxBatchTokens: 1000,
            maxBatchSize: 2,
            maxQueuedTexts: 6,
            QueueFullMode.Wait,
            TimeSpan.Zero);

        // Six texts, two per batch: the 2nd batch fails with two texts of the call still queued.
        await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.RunAsync(Request(1, 1, 1, 1, 1, 1), CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(0, scheduler.QueuedTexts);
        EmbeddingRequest full = Request(1, 1, 1, 1, 1, 1);
        await scheduler.RunAsync(full, CancellationToken.None).WaitAsync(HangGuard);
        Assert.Equal(0, scheduler.QueuedTexts);
    }

    [Fact]
    public async Task RunAsync_BatchFails_ConcurrentCallsOutsideThatBatchGetTheirVectors()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        EmbeddingRequest failing = Request(5, 5, 5, 5, 5, 5);
        int batches = 0;
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((batch, _) =>
            {
                int number = Interlocked.Increment(ref batches);
                if (number == 1)
                {
                    firstBatchRunning.Set();
                    releaseFirstBatch.Wait();
                }

                if (number == 2)
                {
                    Assert.All(batch.ToArray(), t => Assert.Same(failing, t.Request));
                    throw new InvalidOperationException("model broke");
                }

            }),
            maxBatchTokens: 10,
            maxBatchSize: 2,
            maxQueuedTexts: 8,
            QueueFullMode.Wait,
            TimeSpan.Zero);
        Task first = Task.Run(() => scheduler.RunAsync(failing, CancellationToken.None));
        firstBatchRunning.Wait();

        // Texts of 6 tokens never share a 10-token round with the failing call's texts of 5.
        EmbeddingRequest other = Request(6, 6);
        Task second = scheduler.RunAsync(other, CancellationToken.None);
        releaseFirstBatch.Set();

        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(HangGuard));
        await second.WaitAsync(HangGuard);
        Assert.Equal([[1f, 2f, 3f, 4f], [7f, 8f, 9f, 10f]], other.Vectors);
        Assert.Equal(0, scheduler.QueuedTexts);
        await scheduler.RunAsync(Request(1, 1, 1, 1, 1, 1, 1, 1), CancellationToken.None).WaitAsync(HangGuard);
    }

    [Fact]
    public async Task RunAsync_BatchFailsOnTheCallersThread_ReleasesTheCallsQueuedRoom()
    {
        int batches = 0;
        int callerThread = Environment.CurrentManagedThreadId;
        int failedOn = 0;
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((_, _) =>
            {
                if (Interlocked.Increment(ref batches) == 1)
                {
                    failedOn = Environment.CurrentManagedThreadId;
                    throw new InvalidOperationException("model broke");
                }
            }),
            maxBatchTokens: 4096,
            maxBatchSize: 64,
            maxQueuedTexts: 2,
            QueueFullMode.Wait,
            TimeSpan.Zero);

        // A long and a short text: two batches, run inline; the first fails.
        Task call = scheduler.RunAsync(Request(200, 2), CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(HangGuard));

        Assert.Equal(callerThread, failedOn);
        Assert.Equal(0, scheduler.QueuedTexts);
        await scheduler.RunAsync(Request(3, 3), CancellationToken.None).WaitAsync(HangGuard);
        Assert.Equal(0, scheduler.QueuedTexts);
    }

    [Fact]
    public async Task RunAsync_OneSentenceDuringALargeCall_IsAnsweredInTheNextRound()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        EmbeddingRequest sentence = Request(3);
        int sentenceBatch = 0;
        int batches = 0;
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((batch, _) =>
            {
                int number = ++batches;
                if (batch.ToArray().Any(t => t.Request == sentence))
                {
                    sentenceBatch = number;
                }

                if (number == 1)
                {
                    firstBatchRunning.Set();
                    releaseFirstBatch.Wait();
                }
            }),
            maxBatchTokens: 1000,
            maxBatchSize: 4,
            maxQueuedTexts: 1000,
            QueueFullMode.Wait,
            TimeSpan.Zero);
        Task large = Task.Run(() => scheduler.RunAsync(Request([.. Enumerable.Repeat(10, 40)]), CancellationToken.None));
        firstBatchRunning.Wait();

        Task single = scheduler.RunAsync(sentence, CancellationToken.None);
        releaseFirstBatch.Set();
        await Task.WhenAll(large, single).WaitAsync(HangGuard);

        // Round 2 is [10, 3, 10, 10] in one batch: the sentence runs in the 2nd of 11 batches
        // (first come, first served, it ran 11th, after all 40 texts).
        Assert.Equal(2, sentenceBatch);
        Assert.Equal(11, batches);
        Assert.Equal([1f, 2f, 3f, 0f], sentence.Vectors[0]);
    }

    [Fact]
    public async Task RunAsync_RunnerThrows_FailsTheCallWithThatException()
    {
        using var scheduler = new BatchScheduler(new FakeEmbeddingBackend((_, _) => throw new InvalidOperationException("model broke")), 1000, 64, 1000, QueueFullMode.Wait, TimeSpan.Zero);

        InvalidOperationException exception = await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.RunAsync(Request(3), CancellationToken.None));

        Assert.Equal("model broke", exception.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.RunAsync(Request(3), CancellationToken.None));
    }

    [Fact]
    public async Task Dispose_FailsQueuedCallsWithObjectDisposedException()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((_, _) =>
            {
                firstBatchRunning.Set();
                releaseFirstBatch.Wait();
            }),
            1000,
            maxBatchSize: 1,
            1000,
            QueueFullMode.Wait,
            TimeSpan.Zero);
        Task running = Task.Run(() => scheduler.RunAsync(Request(1), CancellationToken.None));
        firstBatchRunning.Wait();
        Task queued = scheduler.RunAsync(Request(1), CancellationToken.None);

        Task disposing = Task.Run(scheduler.Dispose);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued);
        releaseFirstBatch.Set();
        await disposing;
        await running;
        await Assert.ThrowsAsync<ObjectDisposedException>(() => scheduler.RunAsync(Request(1), CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_SmallLoneCall_RunsOnTheCallersThread()
    {
        int runnerThread = 0;
        using var scheduler = new BatchScheduler(new FakeEmbeddingBackend((_, _) => runnerThread = Environment.CurrentManagedThreadId), 4096, 64, 1000, QueueFullMode.Wait, TimeSpan.Zero);
        int callerThread = Environment.CurrentManagedThreadId;

        Task call = scheduler.RunAsync(Request(12, 9), CancellationToken.None);

        Assert.Equal(callerThread, runnerThread); // set before RunAsync returned: no hop to the dispatcher
        await call;
    }

    [Fact]
    public async Task RunAsync_CallOverTheInlineLimit_RunsOnTheDispatcherThread()
    {
        int runnerThread = 0;
        using var scheduler = new BatchScheduler(new FakeEmbeddingBackend((_, _) => runnerThread = Environment.CurrentManagedThreadId), 4096, 64, 1000, QueueFullMode.Wait, TimeSpan.Zero);

        await scheduler.RunAsync(Request(BatchScheduler.InlineTokenLimit / 2 + 1, 3), CancellationToken.None);

        Assert.NotEqual(0, runnerThread);
        Assert.NotEqual(Environment.CurrentManagedThreadId, runnerThread);
    }

    [Fact]
    public async Task RunAsync_ConcurrentCallsOfMixedLengths_RunInBatchesOfSimilarLengths()
    {
        using var firstBatchRunning = new ManualResetEventSlim();
        using var releaseFirstBatch = new ManualResetEventSlim();
        var batches = new List<int[]>();
        using var scheduler = new BatchScheduler(
            new FakeEmbeddingBackend((batch, _) =>
            {
                batches.Add([.. batch.ToArray().Select(t => t.Length)]);
                if (batches.Count == 1)
                {
                    firstBatchRunning.Set();
                    releaseFirstBatch.Wait();
                }
            }),
            maxBatchTokens: 4096,
            maxBatchSize: 64,
            maxQueuedTexts: 1000,
            QueueFullMode.Wait,
            TimeSpan.Zero);
        Task first = Task.Run(() => scheduler.RunAsync(Request(5), CancellationToken.None));
        firstBatchRunning.Wait();

        Task[] late = [.. new[] { 9, 31, 12, 30, 14, 29 }.Select(length => scheduler.RunAsync(Request(length), CancellationToken.None))];
        releaseFirstBatch.Set();
        await Task.WhenAll([first, .. late]);

        // Padding all six to 31 costs 186 tokens; two batches cost 90 + 42 and one more run.
        Assert.Equal([[5], [31, 30, 29], [14, 12, 9]], batches);
    }

    /// <summary>Long enough that only a hang trips it.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static EmbeddingRequest Request(params int[] lengths)
    {
        int[] offsets = new int[lengths.Length];
        for (int i = 1; i < lengths.Length; i++)
        {
            offsets[i] = offsets[i - 1] + lengths[i - 1];
        }

        // Token ids 1, 2, 3… across the call: a text's vector from the fake backend says which text it is.
        long[] tokenIds = [.. Enumerable.Range(1, lengths.Sum()).Select(i => (long)i)];
        return new EmbeddingRequest(tokenIds, offsets, lengths, firstPooled: 0);
    }
}
