using System.Text;
using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks the old-Unicode character table and the assumptions the encoder makes about NFD.</summary>
public sealed class LegacyUnicodeTableTests
{
    [Theory]
    [InlineData(0x0021, (int)LegacyUnicodeFlags.Punctuation)]
    [InlineData(0x0024, (int)LegacyUnicodeFlags.None)] // '$' is Sc; the pre-tokenizer splits it as ASCII punctuation instead
    [InlineData(0x0009, (int)(LegacyUnicodeFlags.Other | LegacyUnicodeFlags.Whitespace))]
    [InlineData(0x0085, (int)(LegacyUnicodeFlags.Other | LegacyUnicodeFlags.Whitespace))]
    [InlineData(0x00A0, (int)LegacyUnicodeFlags.Whitespace)]
    [InlineData(0x00AD, (int)LegacyUnicodeFlags.Other)]
    [InlineData(0x0301, (int)(LegacyUnicodeFlags.NonspacingMark | LegacyUnicodeFlags.Mark))]
    [InlineData(0x0378, (int)LegacyUnicodeFlags.Unassigned)]
    [InlineData(0x08D4, (int)LegacyUnicodeFlags.Mark)] // Mn since Unicode 9.0, so not stripped by the 8.0 category tables
    [InlineData(0x0903, (int)LegacyUnicodeFlags.Mark)] // Mc
    [InlineData(0x2E43, (int)LegacyUnicodeFlags.None)] // Po since Unicode 9.0, so not split off
    [InlineData(0xD800, (int)LegacyUnicodeFlags.Surrogate)]
    [InlineData(0xE000, (int)LegacyUnicodeFlags.Other)]
    [InlineData(0x1F600, (int)LegacyUnicodeFlags.None)]
    [InlineData(0x1F970, (int)LegacyUnicodeFlags.Unassigned)] // an emoji of Unicode 11
    [InlineData(0xE0100, (int)(LegacyUnicodeFlags.NonspacingMark | LegacyUnicodeFlags.Mark))]
    [InlineData(0x10FFFF, (int)LegacyUnicodeFlags.Unassigned)]
    public void GetFlags_KnownCodePoints_GiveTheOldUnicodeProperties(int codePoint, int expected)
    {
        Assert.Equal((LegacyUnicodeFlags)expected, LegacyUnicodeTable.GetFlags(codePoint));
    }

    [Fact]
    public void GetFlags_Bmp_AgreesWithTheRangeTable()
    {
        for (int codePoint = 0; codePoint < 0x10000; codePoint++)
        {
            if (LegacyUnicodeTable.GetFlags(codePoint) != LegacyUnicodeTable.GetFlagsFromRanges(codePoint))
            {
                Assert.Fail($"U+{codePoint:X4} differs between the BMP table and the ranges.");
            }
        }
    }

    [Fact]
    public void PackedRanges_AreSortedAndStartAtZero()
    {
        ReadOnlySpan<uint> ranges = LegacyUnicodeTable.PackedRanges;

        Assert.Equal(0u, ranges[0] >> 8);
        for (int i = 1; i < ranges.Length; i++)
        {
            Assert.True(ranges[i] >> 8 > ranges[i - 1] >> 8, $"entry {i} is out of order");
        }
    }

    [Fact]
    public void EveryAssignedNonMark_IsAnNfdStarter()
    {
        // The encoder normalizes per "starter + following marks"; that is exact only if NFD never moves a non-mark.
        for (int codePoint = 0x20; codePoint <= 0x10FFFF; codePoint++)
        {
            if ((LegacyUnicodeTable.GetFlags(codePoint) & (LegacyUnicodeFlags.Unassigned | LegacyUnicodeFlags.Mark | LegacyUnicodeFlags.Surrogate)) != 0)
            {
                continue;
            }

            // U+0345 has the highest combining class (240): a non-starter after it would be moved in front of it.
            string character = char.ConvertFromUtf32(codePoint);
            string whole = ("a\u0345" + character).Normalize(NormalizationForm.FormD);
            if (whole != "a\u0345" + character.Normalize(NormalizationForm.FormD))
            {
                Assert.Fail($"U+{codePoint:X4} is not a mark but NFD reorders it.");
            }
        }
    }

    [Fact]
    public void CanonicalDecomposition_OutsideTheBmp_OnlyTheListedBlocksDecompose()
    {
        for (int codePoint = 0x10000; codePoint <= 0x10FFFF; codePoint++)
        {
            if ((LegacyUnicodeTable.GetFlags(codePoint) & LegacyUnicodeFlags.Unassigned) != 0)
            {
                continue;
            }

            string text = char.ConvertFromUtf32(codePoint);
            bool unchanged = text.IsNormalized(NormalizationForm.FormD);
            if (unchanged != CanonicalDecomposition.IsUnchanged(codePoint) && !unchanged)
            {
                Assert.Fail($"U+{codePoint:X4} decomposes but is not in the blocks CanonicalDecomposition checks.");
            }
        }
    }
}
