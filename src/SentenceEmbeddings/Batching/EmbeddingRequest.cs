namespace SentenceEmbeddings.Batching;

/// <summary>One <c>GenerateAsync</c> call on its way through the batch queue: its tokens, and the vectors filled in as batches finish.</summary>
internal sealed class EmbeddingRequest
{
    private int _remaining;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingRequest"/> class.</summary>
    /// <param name="tokenIds">The texts' token ids, packed one after another.</param>
    /// <param name="offsets">Where each text's ids start in <paramref name="tokenIds"/>.</param>
    /// <param name="lengths">Each text's token count.</param>
    /// <param name="firstPooled">The first position pooled (after a prompt that pooling leaves out).</param>
    public EmbeddingRequest(long[] tokenIds, int[] offsets, int[] lengths, int firstPooled)
    {
        TokenIds = tokenIds;
        Offsets = offsets;
        Lengths = lengths;
        FirstPooled = firstPooled;
        Vectors = new float[lengths.Length][];
        _remaining = lengths.Length;
    }

    public long[] TokenIds { get; }

    public int[] Offsets { get; }

    public int[] Lengths { get; }

    public int FirstPooled { get; }

    public float[][] Vectors { get; }

    /// <summary>Gets or sets the request's text indices in the order they are queued (longest first); kept by the scheduler under its lock.</summary>
    public int[] Order { get; set; } = [];

    /// <summary>Gets or sets how many of <see cref="Order"/> have left the queue; kept by the scheduler under its lock.</summary>
    public int Taken { get; set; }

    /// <summary>Gets or sets the request's place among the calls waiting for their turn, while it has texts queued; kept by the scheduler under its lock.</summary>
    public LinkedListNode<EmbeddingRequest>? Turn { get; set; }

    /// <summary>Gets the texts of this request still waiting in the queue.</summary>
    public int Queued => Order.Length - Taken;

    /// <summary>Gets the completion the caller awaits; continuations run off the dispatcher thread.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a value indicating whether the request has ended (done, failed or cancelled).</summary>
    public bool IsFinished => Completion.Task.IsCompleted;

    /// <summary>Records one finished text and completes the request after the last.</summary>
    public void TextDone()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Completion.TrySetResult();
        }
    }
}
