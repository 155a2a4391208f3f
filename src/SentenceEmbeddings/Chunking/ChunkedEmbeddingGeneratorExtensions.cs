using Microsoft.Extensions.AI;

namespace SentenceEmbeddings;

/// <summary>Reaches the chunk API of a generator of this library through any middleware around it.</summary>
public static class ChunkedEmbeddingGeneratorExtensions
{
    /// <summary>Embeds each text in chunks and returns every chunk's range, token count and vector, besides the pooled vector.</summary>
    /// <param name="generator">A <see cref="SentenceEmbeddingGenerator"/>, a tier generator from dependency injection, or middleware around one.</param>
    /// <param name="values">The texts.</param>
    /// <param name="options">The call's options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per text, in input order.</returns>
    /// <exception cref="NotSupportedException">The generator is not one of this library's.</exception>
    public static Task<IReadOnlyList<ChunkedEmbedding>> GenerateChunksAsync(
        this IEmbeddingGenerator<string, Embedding<float>> generator,
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        IChunkedEmbeddingGenerator chunked = generator.GetService<IChunkedEmbeddingGenerator>()
            ?? throw new NotSupportedException($"The generator {generator.GetType().Name} does not embed in chunks; use a SentenceEmbeddingGenerator or a generator from AddSentenceEmbeddings.");
        return chunked.GenerateChunksAsync(values, options, cancellationToken);
    }
}
