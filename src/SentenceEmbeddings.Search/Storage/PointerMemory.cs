using System.Buffers;

namespace SentenceEmbeddings.Storage;

/// <summary>A <see cref="Memory{T}"/> over unmanaged memory that another object owns (a view of a memory-mapped index file).</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed unsafe class PointerMemory<T> : MemoryManager<T>
    where T : unmanaged
{
    private readonly T* _pointer;
    private readonly int _length;

    /// <summary>Initializes the memory over <paramref name="length"/> elements at <paramref name="pointer"/>.</summary>
    public PointerMemory(T* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    /// <inheritdoc />
    public override Span<T> GetSpan() => new(_pointer, _length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
}
