namespace SentenceEmbeddings.Tokenization;

/// <summary>The normalizer sequence of a Unigram <c>tokenizer.json</c>, applied in order to one part of a text between added tokens.</summary>
internal sealed class UnigramNormalizer
{
    private readonly UnigramNormalizerStep[] _steps;

    /// <summary>Initializes a new instance of the <see cref="UnigramNormalizer"/> class.</summary>
    /// <param name="steps">The steps in order; none for a file without a normalizer.</param>
    public UnigramNormalizer(IEnumerable<UnigramNormalizerStep> steps) => _steps = [.. steps];

    /// <summary>Normalizes <paramref name="text"/>, using <paramref name="scratch"/> as the second buffer.</summary>
    /// <param name="text">The text, normalized on return unless the result is in <paramref name="scratch"/>.</param>
    /// <param name="scratch">An empty second buffer.</param>
    /// <returns>The buffer that holds the result: <paramref name="text"/> or <paramref name="scratch"/>.</returns>
    public AlignedText Apply(AlignedText text, AlignedText scratch)
    {
        AlignedText current = text;
        AlignedText next = scratch;
        foreach (UnigramNormalizerStep step in _steps)
        {
            next.Clear();
            step.Apply(current, next);
            (current, next) = (next, current);
        }

        return current;
    }
}
