using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace SentenceEmbeddings.Benchmarks.Search;

/// <summary>Queries per second of the index on random unit vectors of 384 dimensions, beside the memory bandwidth measured in the same run (a sum over an array as large as the float vectors).</summary>
[MemoryDiagnoser]
public class SearchBenchmarks
{
    private const int Dimensions = 384;
    private const int BatchSize = 64;
    private float[] _scanned = [];
    private float[][] _queries = [];
    private ReadOnlyMemory<float>[] _batch = [];
    private VectorIndex? _index;
    private int _next;

    [Params(100_000, 1_000_000)]
    public int Vectors { get; set; }

    [GlobalSetup(Target = nameof(Bandwidth))]
    public void SetUpBandwidth()
    {
        // Filled, not left zero: untouched zero pages all map to one physical page and would read from cache.
        _scanned = new float[Vectors * Dimensions];
        _scanned.AsSpan().Fill(1);
    }

    [GlobalSetup(Targets = [nameof(FloatExact), nameof(FloatBatch64)])]
    public void SetUpFloat() => SetUp(VectorEncoding.Float32);

    [GlobalSetup(Target = nameof(Int8Scan))]
    public void SetUpInt8() => SetUp(VectorEncoding.Int8);

    [GlobalSetup(Targets = [nameof(BinaryRescore4), nameof(BinaryScan)])]
    public void SetUpBinary() => SetUp(VectorEncoding.Binary);

    [GlobalCleanup]
    public void CleanUp() => _index?.Dispose();

    /// <summary>The bandwidth limit: streams as many bytes as one float search.</summary>
    [Benchmark]
    public float Bandwidth() => TensorPrimitives.Sum(_scanned);

    [Benchmark]
    public IReadOnlyList<VectorMatch> FloatExact() => _index!.Search(NextQuery(), 10);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public IReadOnlyList<IReadOnlyList<VectorMatch>> FloatBatch64() => _index!.SearchBatch(_batch, 10);

    [Benchmark]
    public IReadOnlyList<VectorMatch> Int8Scan() => _index!.Search(NextQuery(), 10, new VectorSearchOptions { RescoreMultiplier = 0 });

    [Benchmark]
    public IReadOnlyList<VectorMatch> BinaryScan() => _index!.Search(NextQuery(), 10, new VectorSearchOptions { RescoreMultiplier = 0 });

    [Benchmark]
    public IReadOnlyList<VectorMatch> BinaryRescore4() => _index!.Search(NextQuery(), 10, new VectorSearchOptions { RescoreMultiplier = 4 });

    private float[] NextQuery() => _queries[_next++ % _queries.Length];

    private void SetUp(VectorEncoding encoding)
    {
        var random = new Random(1);
        _index = new VectorIndex(Dimensions, new VectorIndexOptions { Encoding = encoding });
        float[] vector = new float[Dimensions];
        for (int i = 0; i < Vectors; i++)
        {
            Fill(random, vector);
            _index.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), vector);
        }

        _queries = new float[BatchSize][];
        for (int q = 0; q < BatchSize; q++)
        {
            _queries[q] = new float[Dimensions];
            Fill(random, _queries[q]);
        }

        _batch = [.. _queries.Select(q => (ReadOnlyMemory<float>)q)];
    }

    private static void Fill(Random random, float[] vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}
