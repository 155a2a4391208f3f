using System.Numerics.Tensors;
using SentenceEmbeddings.Scoring;

namespace SentenceEmbeddings.Tests.Search;

public sealed class KernelTests
{
    [Theory]
    [InlineData(384, 64, 64)]
    [InlineData(384, 7, 13)]
    [InlineData(16, 5, 3)]
    [InlineData(37, 9, 11)]
    public void ScoreMany_EqualsDotPerPair(int dimensions, int queryCount, int rowCount)
    {
        float[][] queries = RandomVectors.Create(queryCount, dimensions, seed: 51);
        float[][] rows = RandomVectors.Create(rowCount, dimensions, seed: 52);
        float[] scores = new float[queryCount * rowCount];
        FloatKernels.ScoreMany(queries.SelectMany(q => q).ToArray(), queryCount, rows.SelectMany(r => r).ToArray(), rowCount, scores);
        for (int q = 0; q < queryCount; q++)
        {
            for (int r = 0; r < rowCount; r++)
            {
                Assert.Equal(TensorPrimitives.Dot(queries[q], rows[r]), scores[(q * rowCount) + r], 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData(384)]
    [InlineData(37)]
    public void ScoreAndScoreMany_EqualRowsScoreBitIdenticalOnEveryPath(int dimensions)
    {
        float[] row = RandomVectors.Create(1, dimensions, seed: 55)[0];
        float[][] queries = RandomVectors.Create(6, dimensions, seed: 56);
        float[] rows = [.. Enumerable.Repeat(row, 7).SelectMany(r => r)]; // 4 in a register block, 3 in the tail
        float[] many = new float[6 * 7];
        FloatKernels.ScoreMany(queries.SelectMany(q => q).ToArray(), 6, rows, 7, many);
        for (int q = 0; q < 6; q++)
        {
            float[] single = new float[7];
            FloatKernels.Score(queries[q], rows, single);
            Assert.All(single, s => Assert.Equal(FloatKernels.Dot(queries[q], row), s));
            Assert.Equal(single, many.AsSpan(q * 7, 7).ToArray());
        }
    }

    [Theory]
    [InlineData(384)]
    [InlineData(40)]
    [InlineData(5)]
    public void Int8Dot_EqualsScalarDot(int dimensions)
    {
        float[] query = RandomVectors.Create(1, dimensions, seed: 53)[0];
        var random = new Random(54);
        sbyte[] codes = [.. Enumerable.Range(0, dimensions).Select(_ => (sbyte)random.Next(-128, 128))];
        double expected = query.Zip(codes).Sum(p => (double)p.First * p.Second);
        Assert.Equal(expected, Int8Codec.Dot(query, codes), 1e-2);
    }

    [Fact]
    public void Int8Encode_ScaleAndCodes()
    {
        float[] vector = [0.5f, -0.25f, 0.1f, -0.5f];
        sbyte[] codes = new sbyte[4];
        float scale = Int8Codec.Encode(vector, codes);
        Assert.Equal(0.5f / 127, scale);
        Assert.Equal(new sbyte[] { 127, -64, 25, -127 }, codes);
    }

    [Fact]
    public void BinaryEncode_SignBitsAndHamming()
    {
        float[] vector = [.. Enumerable.Range(0, 70).Select(i => i % 3 == 0 ? 1f : -1f)];
        ulong[] bits = new ulong[BinaryCodec.WordCount(70)];
        BinaryCodec.Encode(vector, bits);
        Assert.Equal(2, bits.Length);
        for (int i = 0; i < 70; i++)
        {
            Assert.Equal(i % 3 == 0, (bits[i >> 6] & (1UL << (i & 63))) != 0);
        }

        Assert.Equal(0, BinaryCodec.Hamming(bits, bits));
        Assert.Equal(24, BinaryCodec.Hamming(bits, new ulong[2])); // 24 multiples of 3 below 70
    }
}
