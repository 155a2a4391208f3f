namespace SentenceEmbeddings;

/// <summary>When ONNX Runtime's worker threads busy-wait for work instead of sleeping.</summary>
public enum ThreadSpinning
{
    /// <summary>Threads spin between the operators of a run and sleep as soon as the run returns (ONNX Runtime's <c>session.force_spinning_stop</c>): a run pays no thread wake-ups, an idle generator takes no CPU.</summary>
    DuringRuns,

    /// <summary>Threads never spin: every operator wakes them from sleep. The least CPU for the most latency.</summary>
    Never,

    /// <summary>Threads keep spinning for a while after each run too (ONNX Runtime's default): a little less latency for back-to-back calls, cores taken from concurrent callers between runs.</summary>
    Always,
}
