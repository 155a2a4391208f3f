using System.Text;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Random texts for the Unigram oracle: the BERT generator's mix plus digit runs, repeated characters, Metaspace characters, XLM-R special tokens and edge whitespace.</summary>
internal sealed class UnigramTextGenerator
{
    private static readonly string[] Edges = [" ", "  ", "\t", "\n", "\u00A0", "\u3000", "\u001C", "\u001F", "\u0085", "\u200B", "\uFEFF", "\u0001", "\u2028", "\u180E"];
    private static readonly string[] Specials = ["<s>", "</s>", "<pad>", "<unk>", "<mask>", " <mask>", "<mask> ", "\u2581", "\u2581\u2581"];

    private readonly Random _random;
    private readonly RandomTextGenerator _inner;

    public UnigramTextGenerator(int seed)
    {
        _random = new Random(seed);
        _inner = new RandomTextGenerator(seed + 1);
    }

    public string Next()
    {
        var builder = new StringBuilder();
        if (_random.Next(3) == 0)
        {
            builder.Append(Pick(Edges));
        }

        int parts = _random.Next(1, 4);
        for (int i = 0; i < parts; i++)
        {
            switch (_random.Next(6))
            {
                case 0:
                    builder.Append('1', _random.Next(1, 12)).Append(_random.NextInt64(0, long.MaxValue));
                    break;
                case 1:
                    builder.Append(Pick(["a", "1", "中", "\u2581", " ", "é", "😀", "\u0301"]) switch { var s => string.Concat(Enumerable.Repeat(s, _random.Next(2, 30))) });
                    break;
                case 2:
                    builder.Append(Pick(Specials));
                    break;
                default:
                    builder.Append(_inner.Next(12));
                    break;
            }

            if (_random.Next(2) == 0)
            {
                builder.Append(Pick(Edges));
            }
        }

        return builder.ToString();
    }

    private string Pick(string[] items) => items[_random.Next(items.Length)];
}
