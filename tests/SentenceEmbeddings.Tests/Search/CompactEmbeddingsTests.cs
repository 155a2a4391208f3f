using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Tests.Search;

public sealed class CompactEmbeddingsTests
{
    [Fact]
    public void ToInt8_CodesKeepCosineAndCarryScaleAndModel()
    {
        float[][] vectors = RandomVectors.Create(2, 384, seed: 61);
        var created = DateTimeOffset.UnixEpoch;
        Embedding<sbyte> first = new Embedding<float>(vectors[0]) { ModelId = "m", CreatedAt = created }.ToInt8();
        Embedding<sbyte> second = new Embedding<float>(vectors[1]).ToInt8();
        Assert.Equal("m", first.ModelId);
        Assert.Equal(created, first.CreatedAt);
        Assert.Equal(384, first.Dimensions);
        float scale = (float)first.AdditionalProperties![CompactEmbeddings.ScalePropertyName]!;
        Assert.Equal(TensorPrimitives.MaxMagnitude(vectors[0]) / 127, scale, 1e-7f);
        float[] x = [.. first.Vector.ToArray().Select(c => (float)c)];
        float[] y = [.. second.Vector.ToArray().Select(c => (float)c)];
        Assert.Equal(TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]), TensorPrimitives.CosineSimilarity(x, y), 0.01f);
    }

    [Fact]
    public void ToBinary_BitsAreSigns()
    {
        float[] vector = [0.5f, -0.1f, 0f, 2f, -3f];
        BinaryEmbedding binary = new Embedding<float>(vector) { ModelId = "m" }.ToBinary();
        Assert.Equal("m", binary.ModelId);
        Assert.Equal(5, binary.Dimensions);
        Assert.Equal(new[] { true, false, false, true, false }, Enumerable.Range(0, 5).Select(i => binary.Vector[i]));
    }
}
