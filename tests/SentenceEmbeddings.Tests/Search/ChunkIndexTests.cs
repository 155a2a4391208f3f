using System.Numerics.Tensors;

namespace SentenceEmbeddings.Tests.Search;

public sealed class ChunkIndexTests
{
    /// <summary>Synthetic documents of 1 to 6 chunks, each chunk with a range of its own.</summary>
    internal static Dictionary<string, ChunkVector[]> Documents(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        float[][] vectors = RandomVectors.Create(count * 6, dimensions, seed);
        var documents = new Dictionary<string, ChunkVector[]>(StringComparer.Ordinal);
        int next = 0;
        for (int d = 0; d < count; d++)
        {
            int chunks = random.Next(1, 7);
            documents[RandomVectors.Key(d)] = [.. Enumerable.Range(0, chunks).Select(c => new ChunkVector { Start = c * 100, End = (c * 100) + 120, Vector = vectors[next++] })];
        }

        return documents;
    }

    /// <summary>Each document scored by its best chunk (the first on a tie), best first, ties by key.</summary>
    internal static List<(string Key, float Score, int Start, int End)> BruteForce(Dictionary<string, ChunkVector[]> documents, float[] query, int top)
    {
        float[] unit = RandomVectors.Unit(query);
        return [.. documents
            .Select(d =>
            {
                (float score, ChunkVector chunk) = d.Value.Select(c => (TensorPrimitives.Dot(unit, RandomVectors.Unit(c.Vector.ToArray())), c))
                    .Aggregate((best, next) => next.Item1 > best.Item1 ? next : best);
                return (d.Key, score, chunk.Start, chunk.End);
            })
            .OrderByDescending(x => x.score).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(top)];
    }

    private static void AssertSame(List<(string Key, float Score, int Start, int End)> expected, IReadOnlyList<ChunkMatch> actual)
    {
        RandomVectors.AssertSame(expected.Select(e => (e.Key, e.Score)), actual.Select(m => (m.Key, m.Score)));
        Assert.Equal(expected.Select(e => (e.Start, e.End)), actual.Select(m => (m.Start, m.End)));
    }

    [Theory]
    [InlineData(VectorEncoding.Float32, 0)]
    [InlineData(VectorEncoding.Int8, 2_000)]
    [InlineData(VectorEncoding.Binary, 2_000)]
    public void Search_RandomDocuments_BestChunkPerDocumentEqualsBruteForce(VectorEncoding encoding, int rescore)
    {
        // 12,000 documents of ~3.5 chunks: above the row count that splits a search across threads.
        Dictionary<string, ChunkVector[]> documents = Documents(12_000, 16, seed: 21);
        using var index = new ChunkIndex(16, new VectorIndexOptions { Encoding = encoding });
        foreach ((string key, ChunkVector[] chunks) in documents)
        {
            index.Add(key, chunks);
        }

        Assert.Equal(documents.Count, index.Count);
        var options = new VectorSearchOptions { RescoreMultiplier = rescore };
        foreach (float[] query in RandomVectors.Create(5, 16, seed: 22))
        {
            var expected = BruteForce(documents, query, 10);
            AssertSame(expected, index.Search(query, 10, options));
            if (encoding == VectorEncoding.Float32)
            {
                Assert.Equal(expected.Select(e => e.Key), index.SearchBatch([query], 10, options)[0].Select(m => m.Key));
            }
        }
    }

    [Fact]
    public void AddRemove_DocumentsChangeChunkCounts_EqualsBruteForce()
    {
        Dictionary<string, ChunkVector[]> documents = Documents(3_000, 12, seed: 23);
        Dictionary<string, ChunkVector[]> replacements = Documents(3_000, 12, seed: 24);
        using var index = new ChunkIndex(12);
        foreach ((string key, ChunkVector[] chunks) in documents)
        {
            index.Add(key, chunks);
        }

        for (int d = 0; d < 3_000; d += 3)
        {
            string key = RandomVectors.Key(d);
            Assert.True(index.Remove(key));
            documents.Remove(key);
            string other = RandomVectors.Key(d + 1);
            index.Add(other, replacements[other]);
            documents[other] = replacements[other];
        }

        Assert.Equal(documents.Count, index.Count);
        foreach (float[] query in RandomVectors.Create(4, 12, seed: 25))
        {
            AssertSame(BruteForce(documents, query, 8), index.Search(query, 8));
        }
    }

    [Fact]
    public void BadInput_TypedExceptions()
    {
        using var index = new ChunkIndex(4);
        Assert.Throws<ArgumentException>(() => index.Add("a", []));
        Assert.Throws<ArgumentException>(() => index.Add("a", [new ChunkVector { Start = 5, End = 2, Vector = new float[] { 1, 0, 0, 0 } }]));
        Assert.Throws<ArgumentException>(() => index.Add("a", [new ChunkVector { Start = -1, End = 2, Vector = new float[] { 1, 0, 0, 0 } }]));
        Assert.Equal("chunks[1]", Assert.Throws<ArgumentException>(() => index.Add("a",
            [new ChunkVector { Start = 0, End = 2, Vector = new float[] { 1, 0, 0, 0 } }, new ChunkVector { Start = 2, End = 4, Vector = new float[] { 1, 0, float.NaN, 0 } }])).ParamName);
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Search([1, 0, 0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0, 0, 0], 0));
    }
}
