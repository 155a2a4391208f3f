namespace SentenceEmbeddings;

/// <summary>The ranges of the engine keys, checked in one place for direct construction and for configuration (<c>ValidateOnStart</c>).</summary>
internal static class EngineOptionRules
{
    /// <summary>Lists the values out of range, each message naming its key.</summary>
    /// <param name="options">The values; unset ones are not checked.</param>
    /// <param name="keyPrefix">The prefix of each key in the messages: empty for a generator's options, <c>SentenceEmbeddings:</c> or <c>SentenceEmbeddings:Tiers:{tier}:</c> for configuration.</param>
    /// <param name="problems">Receives one message per bad value.</param>
    public static void Check(IEngineOptions options, string keyPrefix, List<string> problems)
    {
        Defined(problems, keyPrefix, nameof(options.OnnxVariant), options.OnnxVariant);

        AtLeast(problems, keyPrefix, nameof(options.MaxSequenceLength), options.MaxSequenceLength, 2, " ([CLS] and [SEP]), or unset for the model's own");
        AtLeast(problems, keyPrefix, nameof(options.MaxBatchTokens), options.MaxBatchTokens, 1, string.Empty);
        AtLeast(problems, keyPrefix, nameof(options.MaxBatchSize), options.MaxBatchSize, 1, string.Empty);
        AtLeast(problems, keyPrefix, nameof(options.MaxQueuedTexts), options.MaxQueuedTexts, 1, string.Empty);
        AtLeast(problems, keyPrefix, nameof(options.IntraOpNumThreads), options.IntraOpNumThreads, 0, " (0 lets ONNX Runtime choose)");
        Defined(problems, keyPrefix, nameof(options.ThreadSpinning), options.ThreadSpinning);
        Defined(problems, keyPrefix, nameof(options.QueueFullMode), options.QueueFullMode);

        if (options.MaxBatchDelay is { } delay && (delay < TimeSpan.Zero || delay > TimeSpan.FromSeconds(1)))
        {
            problems.Add($"{keyPrefix}MaxBatchDelay is {delay}; it must be between zero and one second (00:00:01).");
        }

        Defined(problems, keyPrefix, nameof(options.ExecutionProvider), options.ExecutionProvider);
        Defined(problems, keyPrefix, nameof(options.LongTextMode), options.LongTextMode);

        AtLeast(problems, keyPrefix, nameof(options.ChunkOverlapTokens), options.ChunkOverlapTokens, 0, " (unset takes an eighth of the window)");
        // The window's text tokens: MaxSequenceLength less [CLS] and [SEP].
        if (options.ChunkOverlapTokens is int overlap && options.MaxSequenceLength is int window && overlap >= window - 2)
        {
            problems.Add($"{keyPrefix}ChunkOverlapTokens is {overlap}; it must be smaller than the window of {window - 2} text tokens (MaxSequenceLength {window} less the special tokens).");
        }

        AtLeast(problems, keyPrefix, nameof(options.MaxChunksPerText), options.MaxChunksPerText, 1, string.Empty);
        if (options.Cuda is { } cuda)
        {
            problems.AddRange(cuda.Validate($"{keyPrefix}Cuda:"));
        }
    }

    /// <summary>Reports a value that names no member of its enum (a number bound from configuration), listing the members: "Wait or Fail".</summary>
    private static void Defined<TEnum>(List<string> problems, string keyPrefix, string key, TEnum? value)
        where TEnum : struct, Enum
    {
        if (value is { } set && !Enum.IsDefined(set))
        {
            string[] names = Enum.GetNames<TEnum>();
            string allowed = names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
            problems.Add($"{keyPrefix}{key} is {set}; it must be {allowed}.");
        }
    }

    private static void AtLeast(List<string> problems, string keyPrefix, string key, int? value, int minimum, string hint)
    {
        if (value < minimum)
        {
            problems.Add($"{keyPrefix}{key} is {value}; it must be at least {minimum}{hint}.");
        }
    }
}
