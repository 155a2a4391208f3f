using System.Buffers;

namespace SentenceEmbeddings.Tokenization;

/// <summary>A text being normalized, where each UTF-16 unit remembers the range of the original text it came from.</summary>
/// <remarks>The buffers are rented from <see cref="ArrayPool{T}"/>; <see cref="Dispose"/> returns them. Not thread-safe: one per call.</remarks>
internal sealed class AlignedText : IDisposable
{
    private char[] _chars;
    private int[] _starts;
    private int[] _ends;

    /// <summary>Initializes a new instance of the <see cref="AlignedText"/> class.</summary>
    /// <param name="capacity">The number of units to make room for.</param>
    public AlignedText(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _chars = ArrayPool<char>.Shared.Rent(capacity);
        _starts = ArrayPool<int>.Shared.Rent(capacity);
        _ends = ArrayPool<int>.Shared.Rent(capacity);
    }

    /// <summary>Gets the number of units.</summary>
    public int Length { get; private set; }

    /// <summary>Gets the units.</summary>
    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, Length);

    /// <summary>Gets the index in the original text where the unit at <paramref name="index"/> starts.</summary>
    /// <param name="index">The unit's index.</param>
    /// <returns>The original start.</returns>
    public int StartOf(int index) => _starts[index];

    /// <summary>Gets the index in the original text after the unit at <paramref name="index"/>.</summary>
    /// <param name="index">The unit's index.</param>
    /// <returns>The original end.</returns>
    public int EndOf(int index) => _ends[index];

    /// <summary>Removes every unit.</summary>
    public void Clear() => Length = 0;

    /// <summary>Appends one unit that came from <c>[start, end)</c> of the original text.</summary>
    /// <param name="c">The unit.</param>
    /// <param name="start">The original start.</param>
    /// <param name="end">The original end.</param>
    public void Append(char c, int start, int end)
    {
        if (Length == _chars.Length)
        {
            Grow();
        }

        _chars[Length] = c;
        _starts[Length] = start;
        _ends[Length] = end;
        Length++;
    }

    /// <summary>Appends units that all came from <c>[start, end)</c> of the original text.</summary>
    /// <param name="text">The units.</param>
    /// <param name="start">The original start.</param>
    /// <param name="end">The original end.</param>
    public void Append(ReadOnlySpan<char> text, int start, int end)
    {
        foreach (char c in text)
        {
            Append(c, start, end);
        }
    }

    /// <summary>Appends a unit of this or another aligned text with the original range it has there.</summary>
    /// <param name="source">The text that holds the unit.</param>
    /// <param name="index">The unit's index in <paramref name="source"/>.</param>
    public void AppendFrom(AlignedText source, int index) => Append(source._chars[index], source._starts[index], source._ends[index]);

    /// <summary>Replaces the unit at <paramref name="index"/>, keeping its original range.</summary>
    /// <param name="index">The unit's index.</param>
    /// <param name="c">The new unit.</param>
    public void Set(int index, char c) => _chars[index] = c;

    /// <summary>Puts a unit in front of the text with the empty original range at the first unit's start.</summary>
    /// <param name="c">The unit.</param>
    public void Prepend(char c)
    {
        if (Length == _chars.Length)
        {
            Grow();
        }

        int at = Length > 0 ? _starts[0] : 0;
        Array.Copy(_chars, 0, _chars, 1, Length);
        Array.Copy(_starts, 0, _starts, 1, Length);
        Array.Copy(_ends, 0, _ends, 1, Length);
        _chars[0] = c;
        _starts[0] = at;
        _ends[0] = at;
        Length++;
    }

    /// <summary>Returns the rented buffers.</summary>
    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<int>.Shared.Return(_ends);
        _chars = [];
        _starts = [];
        _ends = [];
        Length = 0;
    }

    private void Grow()
    {
        int size = Math.Max(16, _chars.Length * 2);
        char[] chars = ArrayPool<char>.Shared.Rent(size);
        int[] starts = ArrayPool<int>.Shared.Rent(size);
        int[] ends = ArrayPool<int>.Shared.Rent(size);
        _chars.AsSpan(0, Length).CopyTo(chars);
        _starts.AsSpan(0, Length).CopyTo(starts);
        _ends.AsSpan(0, Length).CopyTo(ends);
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<int>.Shared.Return(_ends);
        _chars = chars;
        _starts = starts;
        _ends = ends;
    }
}
