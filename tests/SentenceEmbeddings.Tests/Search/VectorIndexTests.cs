using System.Numerics.Tensors;

namespace SentenceEmbeddings.Tests.Search;

public sealed class VectorIndexTests
{
    [Theory]
    [InlineData(3_000, 384, 10)]
    [InlineData(2_000, 37, 7)]
    [InlineData(70_000, 8, 25)] // several threads and two storage segments
    public void Search_RandomData_EqualsBruteForce(int count, int dimensions, int top)
    {
        float[][] vectors = RandomVectors.Create(count, dimensions, seed: count + dimensions);

        // Every 50th vector is also stored under a second key: equal scores, which must come out ordered by key.
        var entries = vectors.Select((v, i) => (Key: RandomVectors.Key(i), Vector: v))
            .Concat(vectors.Where((_, i) => i % 50 == 0).Select((v, i) => (Key: "dup" + i, Vector: v)))
            .ToList();
        using var index = new VectorIndex(dimensions);
        foreach ((string key, float[] vector) in entries)
        {
            index.Add(key, vector);
        }

        foreach (float[] query in RandomVectors.Create(12, dimensions, seed: 7).Concat(vectors.Take(3)))
        {
            var expected = RandomVectors.BruteForce(entries, query, top);
            RandomVectors.AssertSame(expected, index.Search(query, top).Select(m => (m.Key, m.Score)));
        }
    }

    [Fact]
    public void Search_DuplicateVectors_TiesOrderedByKey()
    {
        float[] vector = RandomVectors.Create(1, 16, seed: 1)[0];
        using var index = new VectorIndex(16);
        foreach (string key in (string[])["delta", "alpha", "charlie", "bravo"])
        {
            index.Add(key, vector);
        }

        Assert.Equal(["alpha", "bravo", "charlie"], index.Search(vector, 3).Select(m => m.Key));
    }

    [Theory]
    [InlineData(384, 70)]
    [InlineData(384, 3)]
    [InlineData(37, 9)]
    public void SearchBatch_EqualsSingleSearches(int dimensions, int queryCount)
    {
        float[][] vectors = RandomVectors.Create(5_000, dimensions, seed: 3);
        using VectorIndex index = RandomVectors.Index(vectors);

        float[][] queries = RandomVectors.Create(queryCount, dimensions, seed: 4);
        IReadOnlyList<IReadOnlyList<VectorMatch>> batch = index.SearchBatch([.. queries.Select(q => (ReadOnlyMemory<float>)q)], 10);
        Assert.Equal(queryCount, batch.Count);
        for (int q = 0; q < queryCount; q++)
        {
            IReadOnlyList<VectorMatch> single = index.Search(queries[q], 10);
            Assert.Equal(single.Select(m => (m.Key, m.Score)), batch[q].Select(m => (m.Key, m.Score)));
        }
    }

    [Fact]
    public void Search_Filter_EqualsBruteForceOverAcceptedKeys()
    {
        float[][] vectors = RandomVectors.Create(2_000, 32, seed: 5);
        using VectorIndex index = RandomVectors.Index(vectors);

        float[] query = RandomVectors.Create(1, 32, seed: 6)[0];
        var expected = RandomVectors.BruteForce(vectors.Select((v, i) => (RandomVectors.Key(i), v)).Where((_, i) => i % 3 == 0), query, 10);
        var options = new VectorSearchOptions { Filter = key => int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 };
        RandomVectors.AssertSame(expected, index.Search(query, 10, options).Select(m => (m.Key, m.Score)));
        RandomVectors.AssertSame(expected, index.SearchBatch([query], 10, options)[0].Select(m => (m.Key, m.Score)));
    }

    [Fact]
    public void AddRemoveReplace_ManyChanges_EqualsBruteForceOverCurrentState()
    {
        float[][] vectors = RandomVectors.Create(6_000, 24, seed: 8);
        float[][] replacements = RandomVectors.Create(6_000, 24, seed: 9);
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using var index = new VectorIndex(24);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add(RandomVectors.Key(i), vectors[i]);
            state[RandomVectors.Key(i)] = vectors[i];
        }

        // Enough removals to trigger compaction (over a quarter of the rows), then replacements and re-adds.
        for (int i = 0; i < vectors.Length; i += 2)
        {
            Assert.True(index.Remove(RandomVectors.Key(i)));
            state.Remove(RandomVectors.Key(i));
        }

        Assert.False(index.Remove(RandomVectors.Key(0)));
        for (int i = 1; i < vectors.Length; i += 4)
        {
            index.Add(RandomVectors.Key(i), replacements[i]);
            state[RandomVectors.Key(i)] = replacements[i];
        }

        for (int i = 0; i < 100; i += 2)
        {
            index.Add(RandomVectors.Key(i), replacements[i]);
            state[RandomVectors.Key(i)] = replacements[i];
        }

        Assert.Equal(state.Count, index.Count);
        Assert.True(index.Contains(RandomVectors.Key(1)));
        Assert.False(index.Contains(RandomVectors.Key(102)));
        foreach (float[] query in RandomVectors.Create(5, 24, seed: 10))
        {
            var expected = RandomVectors.BruteForce(state.Select(p => (p.Key, p.Value)), query, 15);
            RandomVectors.AssertSame(expected, index.Search(query, 15).Select(m => (m.Key, m.Score)));
        }
    }

    [Theory]
    [InlineData(VectorEncoding.Int8)]
    [InlineData(VectorEncoding.Binary)]
    public void Search_CompactWithRescoringOfEveryCandidate_EqualsExactSearch(VectorEncoding encoding)
    {
        float[][] vectors = RandomVectors.Create(500, 64, seed: 11);
        using VectorIndex index = RandomVectors.Index(vectors, encoding);

        float[] query = RandomVectors.Create(1, 64, seed: 12)[0];
        var expected = RandomVectors.BruteForce(vectors.Select((v, i) => (RandomVectors.Key(i), v)), query, 10);
        RandomVectors.AssertSame(expected, index.Search(query, 10, new VectorSearchOptions { RescoreMultiplier = 50 }).Select(m => (m.Key, m.Score)));
    }

    [Fact]
    public void Search_BinaryWithoutRescoring_ScoresAreSignAgreement()
    {
        float[][] vectors = RandomVectors.Create(300, 64, seed: 13);
        using VectorIndex index = RandomVectors.Index(vectors, VectorEncoding.Binary);

        float[] query = vectors[17];
        IReadOnlyList<VectorMatch> matches = index.Search(query, 5, new VectorSearchOptions { RescoreMultiplier = 0 });
        Assert.Equal(RandomVectors.Key(17), matches[0].Key);
        Assert.Equal(1f, matches[0].Score);
        foreach (VectorMatch match in matches)
        {
            float[] other = vectors[int.Parse(match.Key[1..], System.Globalization.CultureInfo.InvariantCulture)];
            int agreeing = query.Zip(other).Count(p => (p.First > 0) == (p.Second > 0));
            Assert.Equal((2f * agreeing / 64) - 1, match.Score, 1e-6f);
        }
    }

    [Fact]
    public void Search_Int8WithoutRescoring_ScoresCloseToCosine()
    {
        float[][] vectors = RandomVectors.Create(200, 384, seed: 14);
        using VectorIndex index = RandomVectors.Index(vectors, VectorEncoding.Int8);

        float[] query = RandomVectors.Create(1, 384, seed: 15)[0];
        foreach (VectorMatch match in index.Search(query, 20, new VectorSearchOptions { RescoreMultiplier = 0 }))
        {
            float[] other = vectors[int.Parse(match.Key[1..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(TensorPrimitives.CosineSimilarity(query, other), match.Score, 0.01f);
        }
    }

    [Fact]
    public void Search_EmptyIndex_ReturnsNoMatches()
    {
        using var index = new VectorIndex(8);
        Assert.Empty(index.Search(new float[8] { 1, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.Empty(index.SearchBatch([new float[8] { 1, 0, 0, 0, 0, 0, 0, 0 }])[0]);
    }

    [Fact]
    public void BadInput_TypedExceptions()
    {
        using var index = new VectorIndex(4);
        index.Add("a", [1, 2, 3, 4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorIndex(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorIndex(4, new VectorIndexOptions { MaxDegreeOfParallelism = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0, 0, 0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0, 0, 0], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0, 0, 0], 1, new VectorSearchOptions { RescoreMultiplier = -1 }));
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => index.Search([1, 0, 0], 1)).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => index.Search([1, float.NaN, 0, 0], 1)).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => index.Search([0, 0, 0, 0], 1)).ParamName);
        Assert.Equal("vector", Assert.Throws<ArgumentException>(() => index.Add("b", [1, 2, 3, 4, 5])).ParamName);
        Assert.Equal("vector", Assert.Throws<ArgumentException>(() => index.Add("b", [1, float.PositiveInfinity, 3, 4])).ParamName);
        Assert.Equal("queries[1]", Assert.Throws<ArgumentException>(() => index.SearchBatch([new float[] { 1, 0, 0, 0 }, new float[] { float.NaN, 0, 0, 0 }])).ParamName);
        Assert.Throws<ArgumentNullException>(() => index.Add(null!, [1, 2, 3, 4]));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Options_Defaults()
    {
        var options = new VectorIndexOptions();
        Assert.Equal(VectorEncoding.Float32, options.Encoding);
        Assert.Equal(-1, options.MaxDegreeOfParallelism);
        var search = new VectorSearchOptions();
        Assert.Null(search.Filter);
        Assert.Equal(4, search.RescoreMultiplier);
    }
}
