using System.Collections;
using Microsoft.Extensions.AI;
using SentenceEmbeddings.Scoring;

namespace SentenceEmbeddings;

/// <summary>Turns float embeddings into the compact forms Microsoft.Extensions.AI defines, for vector stores that take them.</summary>
public static class CompactEmbeddings
{
    /// <summary>The key of <see cref="Embedding.AdditionalProperties"/> that holds an int8 embedding's scale (float value = code × scale).</summary>
    public const string ScalePropertyName = "scale";

    /// <summary>Quantizes an embedding to one signed byte per dimension, scaled per vector (<c>code = round(127 x / max|x|)</c>), so cosine similarities between codes approximate the floats'.</summary>
    /// <param name="embedding">The float embedding.</param>
    /// <returns>The int8 embedding, with the same model id and creation time and its scale in <see cref="Embedding.AdditionalProperties"/> under <see cref="ScalePropertyName"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embedding"/> is null.</exception>
    public static Embedding<sbyte> ToInt8(this Embedding<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var codes = new sbyte[embedding.Vector.Length];
        float scale = Int8Codec.Encode(embedding.Vector.Span, codes);
        return new Embedding<sbyte>(codes)
        {
            ModelId = embedding.ModelId,
            CreatedAt = embedding.CreatedAt,
            AdditionalProperties = new AdditionalPropertiesDictionary { [ScalePropertyName] = scale },
        };
    }

    /// <summary>Quantizes an embedding to one bit per dimension: set where the component is positive, as sentence-transformers' binary precision.</summary>
    /// <param name="embedding">The float embedding.</param>
    /// <returns>The binary embedding, with the same model id and creation time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embedding"/> is null.</exception>
    public static BinaryEmbedding ToBinary(this Embedding<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ReadOnlySpan<float> vector = embedding.Vector.Span;
        var bits = new BitArray(vector.Length);
        for (int i = 0; i < vector.Length; i++)
        {
            bits[i] = vector[i] > 0;
        }

        return new BinaryEmbedding(bits) { ModelId = embedding.ModelId, CreatedAt = embedding.CreatedAt };
    }
}
