// Job matching with SentenceEmbeddings: job ads and resumes chunked by the library (LongTextMode.Chunk: windows cut between
// words, preferring sentence ends), embedded with all-MiniLM-L6-v2, indexed by document (ChunkIndex), matched both ways with
// the best-matching chunk; then an index of many vectors timed.
//   dotnet run --project samples/JobMatching                  (100,000 vectors in the second part, seconds)
//   dotnet run --project samples/JobMatching -- --million     (1,000,000 vectors: about 3.5 GB of memory, minutes to build)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string root = AppContext.BaseDirectory;
// Windows of 32 tokens (the model takes 256): these documents are a few sentences each, and a short window makes the best
// chunk a passage that shows what matched. A query is embedded in chunk mode too: the token-weighted mean of its windows.
using var generator = new SentenceEmbeddingGenerator(
    Path.Combine(root, "models", "all-MiniLM-L6-v2"),
    new SentenceEmbeddingGeneratorOptions { LongTextMode = LongTextMode.Chunk, MaxSequenceLength = 32 });
Dictionary<string, string> jobs = ReadDocuments(Path.Combine(root, "data", "jobs.jsonl"));
Dictionary<string, string> resumes = ReadDocuments(Path.Combine(root, "data", "resumes.jsonl"));
(ChunkIndex jobIndex, int jobChunks) = await BuildAsync(generator, jobs);
(ChunkIndex resumeIndex, int resumeChunks) = await BuildAsync(generator, resumes);
using ChunkIndex jobsIndexed = jobIndex;
using ChunkIndex resumesIndexed = resumeIndex;
Console.WriteLine($"{jobs.Count} job ads and {resumes.Count} resumes, chunked into {jobChunks + resumeChunks} windows of at most 32 tokens and indexed (all-MiniLM-L6-v2, 384 dimensions).");
Console.WriteLine("Note: all-MiniLM-L6-v2 is an English model; its Chinese matches (job-19..21, cv-19..20) are poor. The multilingual tier");
Console.WriteLine("(paraphrase-multilingual-MiniLM-L12-v2) is the model for them, but its weights are not available offline here.\n");

await MatchAsync("Resume -> best jobs", resumes, jobIndex, jobs);
await MatchAsync("Job ad -> best resumes", jobs, resumeIndex, resumes);

int size = args.Contains("--million") ? 1_000_000 : 100_000;
TimeLargeIndex(size);

async Task MatchAsync(string title, Dictionary<string, string> queries, ChunkIndex index, Dictionary<string, string> targets)
{
    Console.WriteLine($"== {title}");
    foreach ((string key, string text) in queries)
    {
        ReadOnlyMemory<float> query = await generator.GenerateVectorAsync(text);
        Console.WriteLine($"{key}: {Shorten(text, 70)}");
        foreach (ChunkMatch match in index.Search(query.Span, top: 3))
        {
            Console.WriteLine($"    {match.Score:F3}  {match.Key,-7} \"{targets[match.Key][match.Start..match.End].Trim()}\"");
        }
    }

    Console.WriteLine();
}

static async Task<(ChunkIndex Index, int Chunks)> BuildAsync(SentenceEmbeddingGenerator generator, Dictionary<string, string> documents)
{
    var index = new ChunkIndex(384);
    string[] keys = [.. documents.Keys];
    IReadOnlyList<ChunkedEmbedding> chunked = await generator.GenerateChunksAsync([.. keys.Select(k => documents[k])]);
    for (int i = 0; i < keys.Length; i++)
    {
        index.Add(keys[i], [.. chunked[i].Chunks.Select(c => new ChunkVector { Start = c.Start, End = c.End, Vector = c.Vector })]);
    }

    return (index, chunked.Sum(document => document.Chunks.Count));
}

static void TimeLargeIndex(int size)
{
    Console.WriteLine($"== {size:N0} random unit vectors of 384 dimensions");
    var random = new Random(1);
    float[] vector = new float[384];
    var stopwatch = Stopwatch.StartNew();
    using var exact = new VectorIndex(384);
    using var binary = new VectorIndex(384, new VectorIndexOptions { Encoding = VectorEncoding.Binary });
    for (int i = 0; i < size; i++)
    {
        for (int j = 0; j < vector.Length; j++)
        {
            vector[j] = (float)((random.NextDouble() * 2) - 1);
        }

        string key = i.ToString(CultureInfo.InvariantCulture);
        exact.Add(key, vector);
        binary.Add(key, vector);
    }

    Console.WriteLine($"built two indexes (float, binary) in {stopwatch.Elapsed.TotalSeconds:F1} s");
    ReadOnlyMemory<float>[] queries = [.. Enumerable.Range(0, 64).Select(_ => (ReadOnlyMemory<float>)Enumerable.Range(0, 384).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())];
    Time("float, exact, one query at a time", () => { foreach (var q in queries[..8]) { exact.Search(q.Span, 10); } }, 8);
    Time("float, exact, 64 queries in one pass", () => exact.SearchBatch(queries, 10), 64);
    Time("binary + float rescoring of 4 x 10", () => { foreach (var q in queries[..16]) { binary.Search(q.Span, 10); } }, 16);
    Console.WriteLine("(one run on whatever machine this is; benchmarks/README.md has the measured figures)");
}

static void Time(string what, Action action, int queries)
{
    action();
    var stopwatch = Stopwatch.StartNew();
    action();
    Console.WriteLine($"{what,-40} {stopwatch.Elapsed.TotalMilliseconds / queries,8:F2} ms per query");
}

static Dictionary<string, string> ReadDocuments(string path) => File.ReadLines(path)
    .Where(line => line.Length > 0)
    .Select(line => JsonDocument.Parse(line).RootElement)
    .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("text").GetString()!);

static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
