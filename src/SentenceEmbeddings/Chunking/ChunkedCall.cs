using SentenceEmbeddings.Batching;
using SentenceEmbeddings.Pooling;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Chunking;

/// <summary>One call in chunk mode: every text's chunks as items of one request, so they are batched with the other texts and calls, then folded back per text.</summary>
internal sealed class ChunkedCall
{
    private readonly int[] _firstChunk;
    private readonly Range[] _ranges;

    private ChunkedCall(EmbeddingRequest request, int[] firstChunk, Range[] ranges, bool[] truncated, long totalTokens)
    {
        Request = request;
        _firstChunk = firstChunk;
        _ranges = ranges;
        Truncated = truncated;
        TotalTokens = totalTokens;
    }

    /// <summary>Gets the request whose items are the chunks of all texts, text after text.</summary>
    public EmbeddingRequest Request { get; }

    /// <summary>Gets, per text, whether part of it was dropped.</summary>
    public bool[] Truncated { get; }

    /// <summary>Gets the tokens of all chunks: what the model runs.</summary>
    public long TotalTokens { get; }

    /// <summary>Gets the number of texts.</summary>
    public int TextCount => _firstChunk.Length - 1;

    /// <summary>Tokenizes each text: one chunk when it fits the window (exactly as <see cref="LongTextMode.Truncate"/>), else the chunker's windows, the prompt before each.</summary>
    /// <param name="texts">The call's texts.</param>
    /// <param name="prompt">The prompt, or <see langword="null"/>.</param>
    /// <param name="promptTokens">The prompt's own token count, special tokens excluded (0 without a prompt).</param>
    /// <param name="firstPooled">The first position pooled in each chunk.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="chunker">The chunker.</param>
    /// <param name="cancellationToken">Cancels tokenization.</param>
    /// <returns>The call.</returns>
    public static ChunkedCall Tokenize(string[] texts, string? prompt, int promptTokens, int firstPooled, SentenceTokenizer tokenizer, TextChunker chunker, CancellationToken cancellationToken)
    {
        long[] buffer = new long[tokenizer.MaxSequenceLength];
        var packed = new List<long>();
        var offsets = new List<int>();
        var lengths = new List<int>();
        var ranges = new List<Range>();
        var textRanges = new List<Range>();
        int[] firstChunk = new int[texts.Length + 1];
        bool[] truncated = new bool[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            firstChunk[i] = ranges.Count;
            string text = texts[i];
            int length = tokenizer.Tokenize(prompt is null ? text : string.Concat(prompt, text), buffer, out bool tooLong);
            if (!tooLong)
            {
                Add(new Range(0, text.Length), length);
                continue;
            }

            textRanges.Clear();
            truncated[i] = chunker.Split(text, prompt, promptTokens, textRanges);
            foreach (Range range in textRanges)
            {
                (int start, int count) = range.GetOffsetAndLength(text.Length);
                length = tokenizer.Tokenize(string.Concat(prompt, text.AsSpan(start, count)), buffer, out bool cut);
                truncated[i] |= cut;
                Add(range, length);
            }
        }

        firstChunk[texts.Length] = ranges.Count;
        var request = new EmbeddingRequest([.. packed], [.. offsets], [.. lengths], firstPooled);
        return new ChunkedCall(request, firstChunk, [.. ranges], truncated, packed.Count);

        void Add(Range range, int length)
        {
            offsets.Add(packed.Count);
            lengths.Add(length);
            packed.AddRange(buffer.AsSpan(0, length));
            ranges.Add(range);
        }
    }

    /// <summary>Gets the number of chunks of a text.</summary>
    /// <param name="text">The text's index.</param>
    /// <returns>The chunk count.</returns>
    public int ChunkCount(int text) => _firstChunk[text + 1] - _firstChunk[text];

    /// <summary>Gets the tokens run for a text: the sum of its chunks'.</summary>
    /// <param name="text">The text's index.</param>
    /// <returns>The token count.</returns>
    public int TokenCount(int text)
    {
        int sum = 0;
        foreach (int length in ChunkLengths(text))
        {
            sum += length;
        }

        return sum;
    }

    /// <summary>Returns a text's vector after the run: the token-weighted mean of its chunk vectors.</summary>
    /// <param name="text">The text's index.</param>
    /// <param name="normalize">Whether the model normalises.</param>
    /// <returns>The vector.</returns>
    public float[] PooledVector(int text, bool normalize) =>
        ChunkPooler.WeightedMean(Request.Vectors.AsSpan(_firstChunk[text], ChunkCount(text)), ChunkLengths(text), normalize);

    /// <summary>Returns a text's chunks after the run.</summary>
    /// <param name="text">The text's index.</param>
    /// <param name="textLength">The text's length, to resolve the ranges.</param>
    /// <returns>The chunks in text order.</returns>
    public TextChunk[] Chunks(int text, int textLength)
    {
        var chunks = new TextChunk[ChunkCount(text)];
        for (int c = 0; c < chunks.Length; c++)
        {
            int item = _firstChunk[text] + c;
            (int start, int length) = _ranges[item].GetOffsetAndLength(textLength);
            chunks[c] = new TextChunk { Start = start, End = start + length, TokenCount = Request.Lengths[item], Vector = Request.Vectors[item] };
        }

        return chunks;
    }

    /// <summary>Folds each text's chunks after the run: its pooled vector, its tokens and its chunk count.</summary>
    /// <param name="normalize">Whether the model normalises.</param>
    /// <returns>Per text, in input order.</returns>
    public (float[][] Vectors, int[] TokenCounts, int[] ChunkCounts) Fold(bool normalize)
    {
        float[][] vectors = new float[TextCount][];
        int[] tokenCounts = new int[TextCount];
        int[] chunkCounts = new int[TextCount];
        for (int i = 0; i < TextCount; i++)
        {
            vectors[i] = PooledVector(i, normalize);
            tokenCounts[i] = TokenCount(i);
            chunkCounts[i] = ChunkCount(i);
        }

        return (vectors, tokenCounts, chunkCounts);
    }

    /// <summary>Returns every text's pooled vector and chunks after the run.</summary>
    /// <param name="texts">The call's texts, to resolve the ranges.</param>
    /// <param name="normalize">Whether the model normalises.</param>
    /// <returns>Per text, in input order.</returns>
    public ChunkedEmbedding[] ToChunkedEmbeddings(string[] texts, bool normalize)
    {
        var results = new ChunkedEmbedding[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            results[i] = new ChunkedEmbedding
            {
                Vector = PooledVector(i, normalize),
                Chunks = Chunks(i, texts[i].Length),
                TokenCount = TokenCount(i),
                Truncated = Truncated[i],
            };
        }

        return results;
    }

    private ReadOnlySpan<int> ChunkLengths(int text) => Request.Lengths.AsSpan(_firstChunk[text], ChunkCount(text));
}
