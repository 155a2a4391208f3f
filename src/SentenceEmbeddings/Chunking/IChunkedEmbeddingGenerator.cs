using Microsoft.Extensions.AI;

namespace SentenceEmbeddings;

/// <summary>Embeds texts in chunk mode and returns every chunk with its range, token count and vector, besides the pooled vector.</summary>
/// <remarks>Implemented by <see cref="SentenceEmbeddingGenerator"/> and by the registry's tier generators; get it from any generator of this
/// library, middleware included, with <c>generator.GetService&lt;IChunkedEmbeddingGenerator&gt;()</c> or call <see cref="ChunkedEmbeddingGeneratorExtensions.GenerateChunksAsync"/>.</remarks>
public interface IChunkedEmbeddingGenerator
{
    /// <summary>Embeds each text in chunks of at most the model's maximum sequence length, whatever the generator's long-text mode.</summary>
    /// <param name="values">The texts.</param>
    /// <param name="options">The call's options (<c>prompt_name</c>, a tier through <see cref="EmbeddingGenerationOptions.ModelId"/>), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per text, in input order.</returns>
    Task<IReadOnlyList<ChunkedEmbedding>> GenerateChunksAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default);
}
