// The tokenizer fuzz target: AFL++ feeds bytes, which become a text for one of the tokenizers; any exception or broken
// invariant is a crash that AFL keeps. Run with run-fuzz.sh beside this file; a single input can be replayed with
//   dotnet tests/SentenceEmbeddings.Fuzz/bin/Release/net10.0/SentenceEmbeddings.Fuzz.dll --replay FILE…
// (the build output, not the instrumented copy in artifacts/fuzz, which only runs under AFL).
using System.Runtime.InteropServices;
using System.Text;
using SentenceEmbeddings;
using SharpFuzz;

// Loaded on the first input: instrumented code may only run once SharpFuzz has set up AFL's shared memory.
SentenceTokenizer[]? tokenizers = null;
long[] ids = new long[512];

void Check(ReadOnlySpan<byte> data)
{
    if (data.IsEmpty)
    {
        return;
    }

    tokenizers ??=
    [
        SentenceTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2")),
        SentenceTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "models", "snowflake-arctic-embed-xs")),
        SentenceTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "unigram"), maxSequenceLength: 128),
    ];

    // The first byte picks the tokenizer and the decoding: UTF-16 units as they come (lone surrogates included), or UTF-8.
    SentenceTokenizer tokenizer = tokenizers[(data[0] & 0x7F) % tokenizers.Length];
    ReadOnlySpan<byte> rest = data[1..];
    string text = (data[0] & 0x80) == 0
        ? new string(MemoryMarshal.Cast<byte, char>(rest[..(rest.Length & ~1)]))
        : Encoding.UTF8.GetString(rest);

    int count = tokenizer.Tokenize(text, ids, out bool truncated);
    if (count < 2 || count > tokenizer.MaxSequenceLength || (truncated && count != tokenizer.MaxSequenceLength))
    {
        throw new InvalidOperationException($"{count} ids (truncated: {truncated}) for a maximum of {tokenizer.MaxSequenceLength}");
    }

    for (int i = 0; i < count; i++)
    {
        if (ids[i] < 0 || ids[i] >= tokenizer.VocabularySize)
        {
            throw new InvalidOperationException($"id {ids[i]} at {i} is outside the vocabulary of {tokenizer.VocabularySize}");
        }
    }

    // Reading a lone surrogate as U+FFFD: the UTF-8 round trip must give the same ids.
    long[] again = new long[512];
    int againCount = tokenizer.Tokenize(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)), again, out _);
    if (!ids.AsSpan(0, count).SequenceEqual(again.AsSpan(0, againCount)))
    {
        throw new InvalidOperationException("a lone surrogate was not read as U+FFFD");
    }
}

if (args.Length > 0 && args[0] == "--replay")
{
    // Replays the files given (e.g. the seeds or AFL's crashes) without AFL, for a regression check or a debugger.
    foreach (string file in args.Skip(1))
    {
        Check(File.ReadAllBytes(file));
        Console.WriteLine($"ok {file}");
    }

    return;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    Check(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
