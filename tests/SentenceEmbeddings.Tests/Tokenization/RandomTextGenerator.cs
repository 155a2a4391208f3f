using System.Text;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Makes well-formed random texts from a fixed seed that mix every kind of character BERT normalization treats specially.</summary>
internal sealed class RandomTextGenerator
{
    private static readonly string[] Words =
    [
        "the", "The", "QUICK", "brown", "fox", "unaffable", "tokenization", "Hello", "naïve", "café", "Ångström", "straße",
        "über", "déjà", "vu", "résumé", "coöperate", "São", "Paulo", "İstanbul", "ıi", "ǅemal", "ﬁne", "Ωmega", "K", "Å",
        "x86_64", "2024", "3.14", "1,000", "C++", "C#", "e-mail", "don't", "U.S.A.", "http://example.com/a?b=c&d=e",
        "user@example.org", "#hashtag", "@mention", "$5.00", "€5", "100%", "a+b=c", "<tag>", "x^2", "`code`", "a|b", "~home",
        "python开发工程师", "北京", "東京", "한국어", "日本語", "カタカナ", "ひらがな", "がぎぐ", "Привет", "мир", "Ελληνικά",
        "ἀλήθεια", "ﬃ", "ǈ", "ß", "æ", "Œuvre", "ﬀ", "µ", "℃", "№", "½", "²", "ⅷ", "①", "ｆｕｌｌ", "ﾊﾝｶｸ", "שָׁלוֹם", "مَرْحَبًا",
        "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]", "[cls]", "[SEP", "[[SEP]]", "[MASK]]", "[ CLS ]", "[CLS][SEP]",
    ];

    private static readonly int[] CombiningMarks =
    [
        0x0300, 0x0301, 0x0302, 0x0303, 0x0308, 0x030A, 0x030C, 0x0323, 0x0327, 0x0328, 0x031B, 0x0345, 0x0344, 0x0340, 0x0341,
        0x0343, 0x034F, 0x0360, 0x0361, 0x05B4, 0x05BC, 0x064B, 0x0651, 0x0670, 0x0903, 0x093C, 0x0941, 0x094D, 0x0F71, 0x0F72,
        0x0F73, 0x0F75, 0x0F81, 0x0F39, 0x1AB0, 0x1DC0, 0x1DF5, 0x1DF6, 0x20D0, 0x20DD, 0x20E3, 0x3099, 0x309A, 0xFE0F, 0xFE20,
        0x1D165, 0x1D166, 0x1D16D, 0x1D167, 0xE0100, 0x08D4, 0x1885, 0x11C3F,
    ];

    private static readonly int[] Spaces =
    [
        ' ', ' ', ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x180E, 0x2000, 0x2001, 0x2002, 0x2005, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x1C, 0x1F,
    ];

    private static readonly int[] Invisible =
    [
        0x00, 0x01, 0x07, 0x08, 0x1B, 0x7F, 0x80, 0x9F, 0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202E, 0x2060,
        0x2066, 0x2069, 0xFEFF, 0xFFF9, 0xFFFD, 0xE000, 0xF8FF, 0xF0000, 0x110BD, 0x1D173, 0xE0001, 0xE0041, 0x061C, 0x0600,
    ];

    private static readonly (int First, int Last)[] Blocks =
    [
        (0x00C0, 0x024F), // Latin-1 and Latin Extended letters, many precomposed
        (0x1E00, 0x1EFF), // Latin Extended Additional
        (0x0370, 0x03FF), // Greek
        (0x1F00, 0x1FFF), // Greek Extended, with U+1FEF (NFD: '`')
        (0x0400, 0x04FF), // Cyrillic
        (0x0590, 0x05FF), // Hebrew
        (0x0600, 0x06FF), // Arabic
        (0x0900, 0x097F), // Devanagari
        (0x0E00, 0x0E7F), // Thai
        (0x0F00, 0x0FFF), // Tibetan
        (0x3040, 0x30FF), // Hiragana and Katakana
        (0xAC00, 0xD7A3), // Hangul syllables
        (0x1100, 0x11FF), // Hangul jamo
        (0x4E00, 0x9FFF), // CJK unified ideographs
        (0x3400, 0x4DBF), // CJK extension A
        (0x20000, 0x2A6DF), // CJK extension B
        (0x2B820, 0x2B92F), // around the gap in BERT's CJK ranges
        (0xF900, 0xFAFF), // CJK compatibility ideographs (NFD to unified ones)
        (0x2F800, 0x2FA1F), // CJK compatibility ideographs supplement
        (0x3000, 0x303F), // CJK symbols and punctuation
        (0xFF00, 0xFFEF), // full-width and half-width forms
        (0x2000, 0x206F), // general punctuation
        (0x2070, 0x2BFF), // super/subscripts, currency, letterlike, arrows, math, technical, boxes, dingbats
        (0x2E00, 0x2E7F), // supplemental punctuation, some new since Unicode 8
        (0x1F300, 0x1FAFF), // emoji and pictographs
        (0x1D400, 0x1D7FF), // mathematical alphanumerics
        (0x10400, 0x1044F), // Deseret, astral letters with case
        (0x11000, 0x1107F), // Brahmi
        (0x11400, 0x1147F), // Newa, new in Unicode 9
        (0x1E900, 0x1E95F), // Adlam, new in Unicode 9, with case
    ];

    private static readonly string[] EmojiSequences =
    [
        "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇩🇪", "🇯🇵", "1️⃣", "👩🏿‍💻", "🧑‍🤝‍🧑", "☺︎", "✌🏻",
    ];

    private readonly Random _random;

    public RandomTextGenerator(int seed) => _random = new Random(seed);

    /// <summary>Makes one text of up to <paramref name="maxPieces"/> pieces.</summary>
    public string Next(int maxPieces = 24)
    {
        var builder = new StringBuilder();
        int pieces = _random.Next(1, maxPieces + 1);
        for (int i = 0; i < pieces; i++)
        {
            AppendPiece(builder);
            int separator = _random.Next(10);
            if (separator < 6)
            {
                builder.Append(' ');
            }
            else if (separator < 8)
            {
                AppendCodePoint(builder, Pick(Spaces));
            }

            // Otherwise the pieces run together.
        }

        return builder.ToString();
    }

    private void AppendPiece(StringBuilder builder)
    {
        switch (_random.Next(16))
        {
            case 0:
            case 1:
            case 2:
                builder.Append(Pick(Words));
                break;
            case 3:
                AppendAsciiWord(builder, _random.Next(1, 12));
                break;
            case 4:
                AppendAsciiWord(builder, _random.Next(1, 6));
                AppendMarks(builder);
                AppendAsciiWord(builder, _random.Next(0, 4));
                break;
            case 5:
            case 6:
                (int first, int last) = Pick(Blocks);
                for (int count = _random.Next(1, 6); count > 0; count--)
                {
                    AppendCodePoint(builder, _random.Next(first, last + 1));
                    if (_random.Next(5) == 0)
                    {
                        AppendMarks(builder);
                    }
                }

                break;
            case 7:
                AppendCodePoint(builder, Pick(Invisible));
                break;
            case 8:
                builder.Append((char)_random.Next(0x21, 0x7F));
                break;
            case 9:
                builder.Append(Pick(EmojiSequences));
                break;
            case 10:
                // Words around the 100 code point limit, measured after normalization (marks stripped, letters astral).
                AppendLongWord(builder);
                break;
            case 11:
                int codePoint;
                do
                {
                    codePoint = _random.Next(0x80, 0x110000);
                }
                while (codePoint is >= 0xD800 and <= 0xDFFF);
                AppendCodePoint(builder, codePoint);
                break;
            case 12:
                builder.Append(Pick(Words)).Append(Pick(EmojiSequences)).Append(Pick(Words));
                break;
            case 13:
                AppendCodePoint(builder, Pick(Invisible));
                AppendMarks(builder);
                break;
            case 14:
                builder.Append(_random.Next(100_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                builder.Append(Pick(Words));
                AppendCodePoint(builder, Pick(Invisible));
                builder.Append(Pick(Words));
                break;
        }
    }

    private void AppendAsciiWord(StringBuilder builder, int length)
    {
        for (int i = 0; i < length; i++)
        {
            int letter = _random.Next(52);
            builder.Append((char)(letter < 26 ? 'a' + letter : 'A' + letter - 26));
        }
    }

    private void AppendMarks(StringBuilder builder)
    {
        for (int count = _random.Next(1, 4); count > 0; count--)
        {
            AppendCodePoint(builder, Pick(CombiningMarks));
        }
    }

    private void AppendLongWord(StringBuilder builder)
    {
        int length = _random.Next(95, 106);
        int style = _random.Next(4);
        for (int i = 0; i < length; i++)
        {
            switch (style)
            {
                case 0:
                    builder.Append((char)('a' + _random.Next(26)));
                    break;
                case 1:
                    builder.Append('e').Append('\u0301');
                    break;
                case 2:
                    builder.Append('é');
                    break;
                default:
                    AppendCodePoint(builder, 0x10428 + _random.Next(40));
                    break;
            }
        }
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private static void AppendCodePoint(StringBuilder builder, int codePoint) => builder.Append(new Rune(codePoint).ToString());
}
