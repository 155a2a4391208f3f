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

    [Theory]
    [InlineData(384, 1000)] // 6 words: all-MiniLM-L6-v2, arctic-embed-xs
    [InlineData(64, 17)]
    [InlineData(70, 9)]
    [InlineData(200, 31)]
    [InlineData(512, 24)] // 8 words, the widest vector path
    [InlineData(768, 19)] // 12 words: the scalar path
    [InlineData(1, 5)]
    public void BinaryScore_EqualsHammingPerRow(int dimensions, int rowCount)
    {
        var random = new Random(dimensions + rowCount);
        int words = BinaryCodec.WordCount(dimensions);
        ulong mask = dimensions % 64 == 0 ? ulong.MaxValue : (1UL << (dimensions % 64)) - 1;
        ulong[] NextCode()
        {
            ulong[] code = [.. Enumerable.Range(0, words).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40))];
            code[^1] &= mask;
            return code;
        }

        ulong[] query = NextCode();
        ulong[][] rows = [.. Enumerable.Range(0, rowCount).Select(_ => NextCode())];
        rows[0] = [.. query]; // distance 0
        rows[^1] = [.. query.Select(w => ~w)];
        rows[^1][^1] &= mask; // every bit differs
        float[] scores = new float[rowCount];
        BinaryCodec.Score(query, rows.SelectMany(r => r).ToArray(), scores, dimensions);
        for (int r = 0; r < rowCount; r++)
        {
            Assert.Equal(BinaryCodec.Score(BinaryCodec.Hamming(query, rows[r]), dimensions), scores[r]);
        }

        Assert.Equal(1f, scores[0]);
        Assert.Equal(-1f, scores[^1]);
    }

    [Fact]
    public void LaneSums_AddInTheOrderOfLaneSum()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            return; // the 16-at-once reduction only runs where AVX-512 does
        }

        // Magnitudes from 1e-8 to 1e8: any other order of addition rounds differently.
        var random = new Random(77);
        var vectors = new System.Runtime.Intrinsics.Vector512<float>[16];
        for (int v = 0; v < 16; v++)
        {
            vectors[v] = System.Runtime.Intrinsics.Vector512.Create<float>([.. Enumerable.Range(0, 16).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9))))]);
        }

        System.Runtime.Intrinsics.Vector512<float> sums = FloatKernels.LaneSums(
            vectors[0], vectors[1], vectors[2], vectors[3], vectors[4], vectors[5], vectors[6], vectors[7],
            vectors[8], vectors[9], vectors[10], vectors[11], vectors[12], vectors[13], vectors[14], vectors[15]);
        int orderSensitive = 0;
        for (int c = 0; c < 4; c++)
        {
            for (int k = 0; k < 4; k++)
            {
                float expected = FloatKernels.LaneSum(vectors[c + (4 * k)]);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(sums[(4 * c) + k]));
                orderSensitive += expected != InOrder(vectors[c + (4 * k)]) ? 1 : 0;
            }
        }

        Assert.True(orderSensitive > 0, "the data should make the order of addition visible");

        static float InOrder(System.Runtime.Intrinsics.Vector512<float> v)
        {
            float sum = 0;
            for (int i = 0; i < 16; i++)
            {
                sum += v[i];
            }

            return sum;
        }
    }
}
