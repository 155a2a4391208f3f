using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks that added tokens are found leftmost-longest and that the search stays inside its window.</summary>
public sealed class AddedTokenMatcherTests
{
    private static readonly AddedTokenMatcher Matcher = new(
    [
        KeyValuePair.Create("<s>", 0),
        KeyValuePair.Create("<s>x", 1),
        KeyValuePair.Create("</s>", 2),
        KeyValuePair.Create("[SEP]", 3),
        KeyValuePair.Create(string.Empty, 4),
    ]);

    [Theory]
    [InlineData("ab <s>x c", 3, 4, 1)]
    [InlineData("ab <s> c", 3, 3, 0)]
    [InlineData("<</s><s>", 1, 4, 2)]
    [InlineData("[sep] [SEP]", 6, 5, 3)]
    public void TryFind_OverlappingTokens_FindsLeftmostThenLongest(string text, int index, int length, int id)
    {
        Assert.True(Matcher.TryFind(text, 0, text.Length, out int foundIndex, out int foundLength, out int foundId));

        Assert.Equal((index, length, id), (foundIndex, foundLength, foundId));
    }

    [Fact]
    public void TryFind_TokenStartingAfterTheLimit_IsNotFoundButOneEndingAfterItIs()
    {
        const string text = "abc [SEP] d";

        Assert.False(Matcher.TryFind(text, 0, 4, out _, out _, out _));
        Assert.True(Matcher.TryFind(text, 0, 5, out int index, out int length, out _));
        Assert.Equal((4, 5), (index, length));
    }

    [Fact]
    public void Constructor_EmptyToken_IsIgnored()
    {
        Assert.False(Matcher.TryFind("plain text", 0, 10, out _, out _, out _));
        Assert.True(new AddedTokenMatcher([]).IsEmpty);
    }
}
