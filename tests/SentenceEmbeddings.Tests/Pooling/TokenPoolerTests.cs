using SentenceEmbeddings.Pooling;

namespace SentenceEmbeddings.Tests.Pooling;

public sealed class TokenPoolerTests
{
    // Three real tokens of size 2 and one padding row that must never count.
    private static readonly float[] Tokens = [1, 2, 3, -4, 5, 6, 100, 100];

    [Theory]
    [InlineData((int)(PoolingModes.Cls), new float[] { 1, 2 })]
    [InlineData((int)(PoolingModes.Mean), new float[] { 3, 4f / 3 })]
    [InlineData((int)(PoolingModes.Max), new float[] { 5, 6 })]
    [InlineData((int)(PoolingModes.LastToken), new float[] { 5, 6 })]
    [InlineData((int)(PoolingModes.WeightedMean), new float[] { (1 + 6 + 15) / 6f, (2 - 8 + 18) / 6f })]
    [InlineData((int)(PoolingModes.MeanSqrtLength), new float[] { 9 / 1.7320508f, 4 / 1.7320508f })]
    [InlineData((int)(PoolingModes.Cls | PoolingModes.Mean), new float[] { 1, 2, 3, 4f / 3 })]
    [InlineData((int)(PoolingModes.Cls | PoolingModes.Max | PoolingModes.Mean | PoolingModes.LastToken), new float[] { 1, 2, 5, 6, 3, 4f / 3, 5, 6 })]
    public void Pool_EachMode_GivesTheSentenceTransformersValue(int modes, float[] expected)
    {
        var settings = new PoolingSettings((PoolingModes)modes, IncludePrompt: true);
        float[] actual = new float[expected.Length];

        TokenPooler.Pool(Tokens, hiddenSize: 2, length: 3, firstPooled: 0, settings, actual);

        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void Pool_PromptExcluded_SkipsTheFirstTokens()
    {
        float[] actual = new float[2];

        TokenPooler.Pool(Tokens, hiddenSize: 2, length: 3, firstPooled: 1, new PoolingSettings(PoolingModes.Mean, IncludePrompt: false), actual);

        Assert.Equal([4f, 1f], actual);
    }

    [Fact]
    public void NormalizeL2_ScalesToUnitLengthAndLeavesZeroAlone()
    {
        float[] vector = [3, 4];
        float[] zero = [0, 0];

        TokenPooler.NormalizeL2(vector);
        TokenPooler.NormalizeL2(zero);

        Assert.Equal([0.6f, 0.8f], vector);
        Assert.Equal([0f, 0f], zero);
    }
}
