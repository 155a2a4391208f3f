namespace SentenceEmbeddings.Batching;

/// <summary>Merges the texts of concurrent calls into batches under a token budget and runs them one after another on a dispatcher thread.</summary>
/// <remarks>
/// <para>Calls are served first come, first served; a call's own texts are queued longest first, so a large call forms
/// batches of similar lengths. A lone call runs at once; calls that arrive while a batch runs go together into the next.</para>
/// <para>A cancelled call leaves the queue at once; texts of it already in a running batch finish and are dropped.</para>
/// </remarks>
internal sealed class BatchScheduler : IDisposable
{
    /// <summary>Runs one batch: the texts (their requests and indices) padded to the sequence length.</summary>
    public delegate void BatchRunner(ReadOnlySpan<PendingText> batch, int sequenceLength);

    private readonly BatchRunner _runBatch;
    private readonly int _maxBatchTokens;
    private readonly int _maxBatchSize;
    private readonly int _maxQueuedTexts;
    private readonly QueueFullMode _queueFullMode;
    private readonly TimeSpan _maxBatchDelay;
    private readonly Queue<PendingText> _queue = new();
    private readonly object _gate = new(); // a monitor, not a Lock: the dispatcher waits on it
    private TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _dispatcher;
    private int _queuedTexts;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="BatchScheduler"/> class.</summary>
    /// <param name="runBatch">Runs one batch through the model and stores its vectors.</param>
    /// <param name="maxBatchTokens">The most padded tokens in one batch.</param>
    /// <param name="maxBatchSize">The most texts in one batch.</param>
    /// <param name="maxQueuedTexts">The most texts waiting at once; a call larger than this still runs when the queue is empty.</param>
    /// <param name="queueFullMode">Whether a call waits for room or fails when the queue is full.</param>
    /// <param name="maxBatchDelay">How long the dispatcher may wait for more texts before running a batch that is not full.</param>
    public BatchScheduler(BatchRunner runBatch, int maxBatchTokens, int maxBatchSize, int maxQueuedTexts, QueueFullMode queueFullMode, TimeSpan maxBatchDelay)
    {
        _runBatch = runBatch;
        _maxBatchTokens = maxBatchTokens;
        _maxBatchSize = maxBatchSize;
        _maxQueuedTexts = maxQueuedTexts;
        _queueFullMode = queueFullMode;
        _maxBatchDelay = maxBatchDelay;
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

        while (true)
        {
            Task room;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_queuedTexts == 0 || _queuedTexts + count <= _maxQueuedTexts)
                {
                    foreach (int index in order)
                    {
                        _queue.Enqueue(new PendingText(request, index));
                    }

                    request.Queued = count;
                    _queuedTexts += count;
                    EnsureDispatcher();
                    Monitor.Pulse(_gate);
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

        using CancellationTokenRegistration registration = cancellationToken.Register(static state =>
        {
            var (scheduler, cancelled, token) = ((BatchScheduler, EmbeddingRequest, CancellationToken))state!;
            scheduler.Cancel(cancelled, token);
        }, (this, request, cancellationToken));
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
            abandoned = [.. _queue.Select(p => p.Request).Distinct()];
            _queue.Clear();
            _queuedTexts = 0;
            dispatcher = _dispatcher;
            Monitor.PulseAll(_gate);
            _room.TrySetResult();
        }

        foreach (EmbeddingRequest request in abandoned)
        {
            request.Completion.TrySetException(new ObjectDisposedException(nameof(SentenceEmbeddingGenerator), "The generator was disposed before this call's texts were embedded."));
        }

        if (dispatcher is not null && dispatcher != Thread.CurrentThread)
        {
            dispatcher.Join();
        }
    }

    private void Cancel(EmbeddingRequest request, CancellationToken token)
    {
        lock (_gate)
        {
            if (request.IsFinished)
            {
                return;
            }

            // Its entries stay in the queue and are skipped when reached; they stop counting against the queue's room now.
            _queuedTexts -= request.Queued;
            request.Queued = 0;
            FreeRoom();
        }

        request.Completion.TrySetCanceled(token);
    }

    private void EnsureDispatcher()
    {
        if (_dispatcher is null)
        {
            _dispatcher = new Thread(Dispatch) { IsBackground = true, Name = "SentenceEmbeddings batch dispatcher" };
            _dispatcher.Start();
        }
    }

    private void Dispatch()
    {
        var batch = new List<PendingText>(_maxBatchSize);
        while (true)
        {
            int sequenceLength;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_disposed)
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

                sequenceLength = TakeBatch(batch);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                _runBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch), sequenceLength);
                foreach (PendingText text in batch)
                {
                    text.Request.TextDone();
                }
            }
            catch (Exception exception)
            {
                foreach (PendingText text in batch)
                {
                    text.Request.Completion.TrySetException(exception);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Takes the next batch from the front of the queue, skipping finished requests; call under the lock.</summary>
    /// <returns>The batch's padded length.</returns>
    private int TakeBatch(List<PendingText> batch)
    {
        int sequenceLength = 0;
        while (_queue.Count > 0 && batch.Count < _maxBatchSize)
        {
            PendingText next = _queue.Peek();
            if (next.Request.IsFinished)
            {
                _queue.Dequeue();
                continue;
            }

            int length = Math.Max(sequenceLength, next.Length);
            if (batch.Count > 0 && (long)length * (batch.Count + 1) > _maxBatchTokens)
            {
                break;
            }

            _queue.Dequeue();
            next.Request.Queued--;
            _queuedTexts--;
            batch.Add(next);
            sequenceLength = length;
        }

        if (batch.Count > 0)
        {
            FreeRoom();
        }

        return sequenceLength;
    }

    private void FreeRoom()
    {
        _room.TrySetResult();
        _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
