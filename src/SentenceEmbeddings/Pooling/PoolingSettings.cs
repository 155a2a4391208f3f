namespace SentenceEmbeddings.Pooling;

/// <summary>What a model folder's Pooling module asks for.</summary>
/// <param name="Modes">The pooling strategies, concatenated in <see cref="PoolingModes"/> order.</param>
/// <param name="IncludePrompt">Whether a prompt's tokens take part in pooling (sentence-transformers' <c>include_prompt</c>).</param>
internal sealed record PoolingSettings(PoolingModes Modes, bool IncludePrompt)
{
    /// <summary>Gets the number of concatenated vectors (the output is this many times the hidden size).</summary>
    public int VectorCount => System.Numerics.BitOperations.PopCount((uint)Modes);
}
