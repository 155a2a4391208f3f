using SentenceEmbeddings.Inference;

namespace SentenceEmbeddings.Batching;

/// <summary>Merges the texts of concurrent calls into batches under a token budget and runs them one after another.</summary>
/// <remarks>
/// <para>Calls are served a round at a time, and the waiting calls take turns: a round takes one text from each call in turn
/// until the budget is full (unpadded), then is sorted by length and split where padding would cost more than another model
/// run (<see cref="BatchPartition"/>). So a one-sentence call that arrives while a call of thousands of texts runs is in the
/// next round, not behind all of them. A call's own texts are queued longest first, so a large call forms batches of similar lengths.</para>
/// <para>A small call that finds the scheduler idle runs on the caller's thread: no hop to the dispatcher thread and back.
/// Calls that arrive while a batch runs go together into the next round, on the dispatcher thread.</para>
/// <para>A cancelled call leaves the queue at once. A running batch whose every call has ended is abandoned: the backend
/// stops it (ONNX Runtime's terminate flag) instead of finishing vectors no one waits for; a batch that holds a text of a
/// live call runs on. Every way a text leaves the queue (taken into a round, its call cancelled, failed or abandoned at
/// dispose) frees its room exactly once.</para>
/// </remarks>
internal sealed class BatchScheduler : IDisposable
{
    private readonly IEmbeddingBackend _backend;
    private readonly int _maxBatchTokens;
    private readonly int _maxBatchSize;
    private readonly int _maxQueuedTexts;
    private readonly QueueFullMode _queueFullMode;
    private readonly TimeSpan _maxBatchDelay;

    // The calls with texts queued, in turn order: a round takes the first call's next text and sends the call to the back.
    private readonly LinkedList<EmbeddingRequest> _waiting = new();

    // One round runs at a time, on the dispatcher or on an idle caller's thread: the runner's buffers have one user.
    private Thread? _runner;
    private readonly object _gate = new(); // a monitor, not a Lock: the dispatcher waits on it
    private TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The batch the runner is in (its texts are round[_runningStart.._runningEnd]) and the token that tells the backend
    // when every call in it has ended; reset and reused batch after batch. Read and written under the lock.
    private List<PendingText>? _runningRound;
    private int _runningStart;
    private int _runningEnd;
    private CancellationTokenSource _abandoned = new();
    private Thread? _dispatcher;
    private int _queuedTexts;
    private bool _disposed;

    /// <summary>The most padded tokens a call may have to run on the caller's thread (a few milliseconds of model time).</summary>
    internal const int InlineTokenLimit = 512;

    /// <summary>Initializes a new instance of the <see cref="BatchScheduler"/> class.</summary>
    /// <param name="backend">Runs one batch through the model and stores its vectors.</param>
    /// <param name="maxBatchTokens">The most padded tokens in one batch.</param>
    /// <param name="maxBatchSize">The most texts in one batch.</param>
    /// <param name="maxQueuedTexts">The most texts waiting at once; a call larger than this still runs when the queue is empty.</param>
    /// <param name="queueFullMode">Whether a call waits for room or fails when the queue is full.</param>
    /// <param name="maxBatchDelay">How long the dispatcher may wait for more texts before running a batch that is not full.</param>
    public BatchScheduler(IEmbeddingBackend backend, int maxBatchTokens, int maxBatchSize, int maxQueuedTexts, QueueFullMode queueFullMode, TimeSpan maxBatchDelay)
    {
        _backend = backend;
        _maxBatchTokens = maxBatchTokens;
        _maxBatchSize = maxBatchSize;
        _maxQueuedTexts = maxQueuedTexts;
        _queueFullMode = queueFullMode;
        _maxBatchDelay = maxBatchDelay;
    }

    /// <summary>Gets the number of texts that count against <c>MaxQueuedTexts</c> right now.</summary>
    internal int QueuedTexts
    {
        get
        {
            lock (_gate)
            {
                return _queuedTexts;
            }
        }
    }

    /// <summary>Queues a call's texts and waits until every one has its vector.</summary>
    /// <param name="request">The call.</param>
    /// <param name="cancellationToken">The <see cref="CancellationToken"/> to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the request is done.</returns>
    /// <exception cref="EmbeddingQueueFullException">The queue is full and the mode is <see cref="QueueFullMode.Fail"/>.</exception>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed before the request finished.</exception>
    public async Task RunAsync(EmbeddingRequest request, CancellationToken cancellationToken)
    {
        int count = request.Lengths.Length;
        if (count == 0)
        {
            return;
        }

        // Longest first within the call, so that its batches hold texts of similar length.
        int[] order = new int[count];
        LengthOrder.LongestFirst(request.Lengths, order);

        // A small call that finds nothing queued and nothing running runs here, at once.
        bool small = count <= _maxBatchSize && (long)count * request.Lengths[order[0]] <= Math.Min(_maxBatchTokens, InlineTokenLimit);
        while (true)
        {
            Task room;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (small && _runner is null && _waiting.Count == 0)
                {
                    Enqueue(request, order);
                    _runner = Thread.CurrentThread;
                    break;
                }

                if (_queuedTexts == 0 || _queuedTexts + count <= _maxQueuedTexts)
                {
                    Enqueue(request, order);
                    EnsureDispatcher();
                    Monitor.Pulse(_gate);
                    small = false;
                    break;
                }

                if (_queueFullMode == QueueFullMode.Fail)
                {
                    throw new EmbeddingQueueFullException(
                        $"The embedding queue is full ({_queuedTexts} texts waiting, at most {_maxQueuedTexts}); retry later, send fewer texts per call, or raise MaxQueuedTexts.");
                }

                room = _room.Task;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        // Registered before an inline round runs, so that cancelling during it abandons the batch too.
        using CancellationTokenRegistration registration = cancellationToken.Register(static state =>
        {
            var (scheduler, cancelled, token) = ((BatchScheduler, EmbeddingRequest, CancellationToken))state!;
            scheduler.Cancel(cancelled, token);
        }, (this, request, cancellationToken));
        if (small)
        {
            RunRoundInline();
        }

        await request.Completion.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Fails the queued calls with <see cref="ObjectDisposedException"/> and waits for a running batch to finish.</remarks>
    public void Dispose()
    {
        Thread? dispatcher;
        List<EmbeddingRequest> abandoned;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            abandoned = [.. _waiting];
            foreach (EmbeddingRequest request in abandoned)
            {
                Withdraw(request);
            }

            dispatcher = _dispatcher;
            Monitor.PulseAll(_gate);
            _room.TrySetResult();
        }

        foreach (EmbeddingRequest request in abandoned)
        {
            request.Completion.TrySetException(new ObjectDisposedException(nameof(SentenceEmbeddingGenerator), "The generator was disposed before this call's texts were embedded."));
        }

        lock (_gate)
        {
            // A round running on a caller's thread uses the model too: let it finish before the model goes.
            while (_runner is not null && _runner != Thread.CurrentThread && _runner != dispatcher)
            {
                Monitor.Wait(_gate);
            }
        }

        if (dispatcher is not null && dispatcher != Thread.CurrentThread)
        {
            dispatcher.Join();
        }
    }

    /// <summary>Queues a request's texts in the given order, its turn after the calls already waiting; call under the lock.</summary>
    private void Enqueue(EmbeddingRequest request, int[] order)
    {
        request.Order = order;
        request.Taken = 0;
        request.Turn = _waiting.AddLast(request);
        _queuedTexts += order.Length;
    }

    /// <summary>Takes a request's texts still queued out of the queue and frees their room; does nothing the second time; call under the lock.</summary>
    private void Withdraw(EmbeddingRequest request)
    {
        if (request.Turn is null)
        {
            return;
        }

        _waiting.Remove(request.Turn);
        request.Turn = null;
        _queuedTexts -= request.Queued;
        request.Taken = request.Order.Length;
        FreeRoom();
    }

    private void Cancel(EmbeddingRequest request, CancellationToken token)
    {
        lock (_gate)
        {
            if (request.IsFinished)
            {
                return;
            }

            Withdraw(request);
        }

        request.Completion.TrySetCanceled(token);
        lock (_gate)
        {
            // Under the lock, so that it cannot reach the next batch's token; the backend's callback only raises a flag.
            if (_runningRound is not null && !_abandoned.IsCancellationRequested && RunningBatchIsAbandoned())
            {
                _abandoned.Cancel();
            }
        }
    }

    /// <summary>Gets whether every call with a text in the running batch has ended; call under the lock while a batch runs.</summary>
    private bool RunningBatchIsAbandoned()
    {
        for (int i = _runningStart; i < _runningEnd; i++)
        {
            if (!_runningRound![i].Request.IsFinished)
            {
                return false;
            }
        }

        return true;
    }

    private void EnsureDispatcher()
    {
        if (_dispatcher is null)
        {
            _dispatcher = new Thread(Dispatch) { IsBackground = true, Name = "SentenceEmbeddings batch dispatcher" };
            _dispatcher.Start();
        }
    }

    private void RunRoundInline()
    {
        var round = new List<PendingText>();
        var ends = new List<int>();
        lock (_gate)
        {
            TakeRound(round, ends);
        }

        try
        {
            RunRound(round, ends);
        }
        finally
        {
            ReleaseRunner();
        }
    }

    private void Dispatch()
    {
        var round = new List<PendingText>(_maxBatchSize);
        var ends = new List<int>();
        while (true)
        {
            lock (_gate)
            {
                while ((_waiting.Count == 0 || _runner is not null) && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_disposed)
                {
                    return;
                }

                if (_maxBatchDelay > TimeSpan.Zero && _queuedTexts < _maxBatchSize)
                {
                    // Give concurrent callers a moment to join a batch that is not full yet.
                    Monitor.Wait(_gate, _maxBatchDelay);
                }

                _runner = Thread.CurrentThread;
                TakeRound(round, ends);
            }

            try
            {
                RunRound(round, ends);
            }
            finally
            {
                ReleaseRunner();
            }
        }
    }

    private void ReleaseRunner()
    {
        lock (_gate)
        {
            _runner = null;
            if (_waiting.Count > 0 && !_disposed)
            {
                // Calls that came while an inline round ran wait for the dispatcher.
                EnsureDispatcher();
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Runs the batches of a round one after another, skipping texts whose call has ended, then empties the lists.</summary>
    private void RunRound(List<PendingText> round, List<int> ends)
    {
        Span<PendingText> texts = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(round);
        int start = 0;
        foreach (int end in ends)
        {
            int first = start;
            Span<PendingText> batch = texts[first..end];
            start = end;
            int live = 0;
            int sequenceLength = 0;
            foreach (PendingText text in batch)
            {
                if (!text.Request.IsFinished)
                {
                    batch[live++] = text;
                    sequenceLength = Math.Max(sequenceLength, text.Length);
                }
            }

            if (live == 0)
            {
                continue;
            }

            batch = batch[..live];
            CancellationToken abandoned = BeginBatch(round, first, first + live);
            try
            {
                _backend.Run(batch, sequenceLength, abandoned);
                foreach (PendingText text in batch)
                {
                    text.Request.TextDone();
                }
            }
            catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
            {
                // Every call in the batch has ended already: there is no one to tell.
            }
            catch (Exception exception)
            {
                Fail(batch, exception);
            }
            finally
            {
                EndBatch();
            }
        }

        round.Clear();
        ends.Clear();
    }

    /// <summary>Marks <c>round[start..end]</c> as the running batch and returns the token that is cancelled if every call in it ends.</summary>
    private CancellationToken BeginBatch(List<PendingText> round, int start, int end)
    {
        lock (_gate)
        {
            if (!_abandoned.TryReset())
            {
                // The last batch was abandoned: a cancelled source cannot be reset.
                _abandoned.Dispose();
                _abandoned = new CancellationTokenSource();
            }

            _runningRound = round;
            _runningStart = start;
            _runningEnd = end;
            return _abandoned.Token;
        }
    }

    private void EndBatch()
    {
        lock (_gate)
        {
            _runningRound = null;
        }
    }

    /// <summary>Fails the calls of a batch whose run threw, after taking their other queued texts out of the queue.</summary>
    private void Fail(ReadOnlySpan<PendingText> batch, Exception exception)
    {
        lock (_gate)
        {
            foreach (PendingText text in batch)
            {
                Withdraw(text.Request);
            }
        }

        foreach (PendingText text in batch)
        {
            text.Request.Completion.TrySetException(exception);
        }
    }

    /// <summary>Takes the next round, a text from each waiting call in turn, and plans its batches; call under the lock.</summary>
    /// <param name="round">Receives the round's texts, longest first.</param>
    /// <param name="ends">Receives the end of each batch in <paramref name="round"/>.</param>
    private void TakeRound(List<PendingText> round, List<int> ends)
    {
        long tokens = 0;
        while (_waiting.First is { } turn && round.Count < _maxBatchSize)
        {
            EmbeddingRequest request = turn.Value;
            if (request.IsFinished)
            {
                Withdraw(request);
                continue;
            }

            var next = new PendingText(request, request.Order[request.Taken]);
            if (round.Count > 0 && tokens + next.Length > _maxBatchTokens)
            {
                break; // the call keeps its turn: it goes first in the next round
            }

            request.Taken++;
            _queuedTexts--;
            round.Add(next);
            tokens += next.Length;
            _waiting.RemoveFirst();
            if (request.Queued > 0)
            {
                _waiting.AddLast(turn);
            }
            else
            {
                request.Turn = null;
            }
        }

        if (round.Count == 0)
        {
            return;
        }

        FreeRoom();
        if (round.Count == 1)
        {
            ends.Add(1); // a lone text: nothing to sort or split
            return;
        }

        // Longest first (stable, so a call's own order is kept among equal lengths), then the cheapest split into batches.
        Span<PendingText> texts = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(round);
        int[] lengths = new int[texts.Length];
        int[] order = new int[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            lengths[i] = texts[i].Length;
        }

        LengthOrder.LongestFirst(lengths, order);
        PendingText[] sorted = new PendingText[texts.Length];
        for (int i = 0; i < order.Length; i++)
        {
            sorted[i] = texts[order[i]];
            lengths[i] = sorted[i].Length;
        }

        sorted.CopyTo(texts);
        int[] batchEnds = new int[texts.Length];
        int batches = BatchPartition.Split(lengths, _maxBatchTokens, _maxBatchSize, batchEnds);
        ends.AddRange(batchEnds.AsSpan(0, batches));
    }

    private void FreeRoom()
    {
        _room.TrySetResult();
        _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
