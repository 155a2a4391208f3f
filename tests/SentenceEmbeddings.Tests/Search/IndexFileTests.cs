namespace SentenceEmbeddings.Tests.Search;

public sealed class IndexFileTests
{
    public static TheoryData<VectorEncoding, bool> Encodings => new()
    {
        { VectorEncoding.Float32, false }, { VectorEncoding.Float32, true },
        { VectorEncoding.Int8, false }, { VectorEncoding.Int8, true },
        { VectorEncoding.Binary, false }, { VectorEncoding.Binary, true },
    };

    private static VectorIndex BuildVectorIndex(VectorEncoding encoding)
    {
        float[][] vectors = RandomVectors.Create(3_000, 40, seed: 31);
        var index = new VectorIndex(40, new VectorIndexOptions { Encoding = encoding });
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add(i % 7 == 0 ? "clé-" + i : RandomVectors.Key(i), vectors[i]);
        }

        // Tombstones: a saved file holds only the live rows.
        for (int i = 0; i < 200; i++)
        {
            index.Remove(RandomVectors.Key((i * 3) + 1));
        }

        return index;
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void SaveLoad_VectorIndex_BitExactAndSameResults(VectorEncoding encoding, bool memoryMapped)
    {
        using var temp = new TempDirectory();
        string first = Path.Combine(temp.Path, "a.sevx");
        string second = Path.Combine(temp.Path, "b.sevx");
        using VectorIndex index = BuildVectorIndex(encoding);
        index.Save(first);
        using (VectorIndex loaded = VectorIndex.Load(first, memoryMapped))
        {
            Assert.Equal(index.Count, loaded.Count);
            Assert.Equal(encoding, loaded.Encoding);
            foreach (float[] query in RandomVectors.Create(5, 40, seed: 32))
            {
                Assert.Equal(index.Search(query, 10).Select(m => (m.Key, m.Score)), loaded.Search(query, 10).Select(m => (m.Key, m.Score)));
            }

            loaded.Save(second);

            // A mapped index copies itself into memory on its first write; the file stays as it was.
            loaded.Add("new", RandomVectors.Create(1, 40, seed: 33)[0]);
            Assert.True(loaded.Contains("new"));
        }

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Theory]
    [InlineData(VectorEncoding.Float32)]
    [InlineData(VectorEncoding.Binary)]
    public void SaveLoad_ChunkIndex_BitExactAndSameResults(VectorEncoding encoding)
    {
        using var temp = new TempDirectory();
        string first = Path.Combine(temp.Path, "a.sevx");
        string second = Path.Combine(temp.Path, "b.sevx");
        using var index = new ChunkIndex(16, new VectorIndexOptions { Encoding = encoding });
        foreach ((string key, ChunkVector[] chunks) in ChunkIndexTests.Documents(500, 16, seed: 34))
        {
            index.Add(key, chunks);
        }

        index.Save(first);
        using ChunkIndex loaded = ChunkIndex.Load(first, memoryMapped: true);
        foreach (float[] query in RandomVectors.Create(5, 16, seed: 35))
        {
            Assert.Equal(index.Search(query, 10).Select(m => (m.Key, m.Score, m.Start, m.End)), loaded.Search(query, 10).Select(m => (m.Key, m.Score, m.Start, m.End)));
        }

        loaded.Save(second);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void SaveLoad_EmptyIndex_RoundTrips()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "empty.sevx");
        using (var index = new VectorIndex(8))
        {
            index.Save(path);
        }

        using VectorIndex loaded = VectorIndex.Load(path, memoryMapped: true);
        Assert.Equal(0, loaded.Count);
        Assert.Equal(8, loaded.Dimensions);
    }

    private static string SavedFile(TempDirectory temp)
    {
        string path = Path.Combine(temp.Path, "index.sevx");
        using VectorIndex index = BuildVectorIndex(VectorEncoding.Int8);
        index.Save(path);
        return path;
    }

    private static void AssertProblem(string path, VectorIndexFileProblem problem, bool memoryMapped = false)
    {
        var exception = Assert.Throws<VectorIndexFileException>(() => VectorIndex.Load(path, memoryMapped));
        Assert.Equal(problem, exception.Problem);
        Assert.Equal(Path.GetFullPath(path), exception.FilePath);
        Assert.Contains(Path.GetFileName(path), exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200_000)]
    [InlineData(-5)] // in the keys, near the end
    public void Load_FlippedByte_ChecksumMismatch(int offset)
    {
        using var temp = new TempDirectory();
        string path = SavedFile(temp);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        AssertProblem(path, VectorIndexFileProblem.ChecksumMismatch);
        AssertProblem(path, VectorIndexFileProblem.ChecksumMismatch, memoryMapped: true);
    }

    [Fact]
    public void Load_FlippedHeaderByte_ChecksumMismatch()
    {
        using var temp = new TempDirectory();
        string path = SavedFile(temp);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[20] ^= 0x01; // the entry count
        File.WriteAllBytes(path, bytes);
        AssertProblem(path, VectorIndexFileProblem.ChecksumMismatch);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50_000)]
    public void Load_TruncatedFile_Truncated(int cut)
    {
        using var temp = new TempDirectory();
        string path = SavedFile(temp);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^cut]);
        AssertProblem(path, VectorIndexFileProblem.Truncated);
        File.WriteAllBytes(path, bytes[..40]);
        AssertProblem(path, VectorIndexFileProblem.Truncated);
        File.WriteAllBytes(path, [.. bytes, 0]);
        AssertProblem(path, VectorIndexFileProblem.Truncated);
    }

    [Fact]
    public void Load_OtherFormatVersion_UnsupportedVersion()
    {
        using var temp = new TempDirectory();
        string path = SavedFile(temp);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[8] = 2;
        File.WriteAllBytes(path, bytes);
        AssertProblem(path, VectorIndexFileProblem.UnsupportedVersion);
    }

    [Fact]
    public void Load_NotAnIndex_NotAnIndexFile()
    {
        using var temp = new TempDirectory();
        AssertProblem(temp.Write("docs.jsonl", "{\"id\": 1, \"text\": \"hello\"}\n"), VectorIndexFileProblem.NotAnIndexFile);
        AssertProblem(temp.Write("empty.sevx", string.Empty), VectorIndexFileProblem.NotAnIndexFile);
        Assert.Throws<FileNotFoundException>(() => VectorIndex.Load(Path.Combine(temp.Path, "missing.sevx")));
    }

    [Fact]
    public void Load_OtherKind_WrongKind()
    {
        using var temp = new TempDirectory();
        string path = SavedFile(temp);
        var exception = Assert.Throws<VectorIndexFileException>(() => ChunkIndex.Load(path));
        Assert.Equal(VectorIndexFileProblem.WrongKind, exception.Problem);
        Assert.Equal(path, exception.FilePath);
    }
}
