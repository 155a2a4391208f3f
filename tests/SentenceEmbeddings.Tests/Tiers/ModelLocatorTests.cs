using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Tests.Tiers;

public sealed class ModelLocatorTests
{
    private static readonly EmbeddingTier Fast = EmbeddingTier.Defaults[0];

    [Fact]
    public void Locate_ExplicitFolder_ComesFirst()
    {
        using var store = new TempDirectory();
        string explicitFolder = ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "explicit"));
        ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "root", "sentence-transformers", "all-MiniLM-L6-v2"));
        var locator = new ModelLocator(Path.Combine(store.Path, "root"), Path.Combine(store.Path, "hub"));

        Assert.Equal(explicitFolder, locator.Locate(Fast.With(new EmbeddingTierOptions { Path = explicitFolder })));
    }

    [Fact]
    public void Locate_ModelsRoot_FindsOrgSlashNameThenName()
    {
        using var store = new TempDirectory();
        string flat = ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "all-MiniLM-L6-v2"));
        var locator = new ModelLocator(store.Path, Path.Combine(store.Path, "hub"));

        Assert.Equal(flat, locator.Locate(Fast));

        string nested = ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(store.Path, "sentence-transformers", "all-MiniLM-L6-v2"));
        Assert.Equal(nested, locator.Locate(Fast));
    }

    [Fact]
    public void Locate_HuggingFaceCache_FollowsRefsMain()
    {
        using var store = new TempDirectory();
        string hub = Path.Combine(store.Path, "hub");
        string snapshot = ModelLayouts.HuggingFaceCache(hub, Fast.ModelId, TestModels.MiniLM);

        Assert.Equal(snapshot, new ModelLocator(modelsPath: null, hub).Locate(Fast));
    }

    [Fact]
    public void Locate_HuggingFaceCacheWithoutRefs_TakesTheOnlySnapshot()
    {
        using var store = new TempDirectory();
        string hub = Path.Combine(store.Path, "hub");
        string snapshot = ModelLayouts.LinkModel(TestModels.MiniLM, Path.Combine(hub, "models--sentence-transformers--all-MiniLM-L6-v2", "snapshots", "abc123"));

        Assert.Equal(snapshot, new ModelLocator(modelsPath: null, hub).Locate(Fast));
    }

    [Theory]
    [InlineData(OnnxVariant.Auto, false, "onnx/model_quint8_avx2.onnx")]
    [InlineData(OnnxVariant.Fp32, false, null)]
    [InlineData(OnnxVariant.Auto, true, null)]
    public void Locate_FolderWithOnlyTheInt8FileForTheCpu_CountsForAutoOnTheCpuOnly(OnnxVariant variant, bool useCuda, string? expected)
    {
        using var store = new TempDirectory();
        string folder = Path.Combine(store.Path, "all-MiniLM-L6-v2");
        ModelLayouts.LinkModel(TestModels.MiniLM, folder);
        File.Move(Path.Combine(folder, "onnx", "model.onnx"), Path.Combine(folder, "onnx", "model_quint8_avx2.onnx"));
        var locator = new ModelLocator(store.Path, Path.Combine(store.Path, "hub"), cpu: new CpuFeatures(Avx512Vnni: false, Avx512: false, Avx2: true, Arm64: false));

        if (expected is null)
        {
            Assert.Throws<ModelNotFoundException>(() => locator.Locate(Fast, variant, useCuda));
        }
        else
        {
            Assert.Equal(new ModelLocation(folder, expected), locator.Locate(Fast, variant, useCuda));
        }
    }

    [Fact]
    public void Locate_FoundNowhere_ListsEveryPlaceAndTheDownloadCommand()
    {
        using var store = new TempDirectory();
        var locator = new ModelLocator(Path.Combine(store.Path, "root"), Path.Combine(store.Path, "hub"));
        EmbeddingTier tier = Fast.With(new EmbeddingTierOptions { Path = Path.Combine(store.Path, "explicit") });

        ModelNotFoundException exception = Assert.Throws<ModelNotFoundException>(() => locator.Locate(tier));

        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", exception.ModelId);
        Assert.Equal(
            [
                Path.Combine(store.Path, "explicit"),
                Path.Combine(store.Path, "root", "sentence-transformers", "all-MiniLM-L6-v2"),
                Path.Combine(store.Path, "root", "all-MiniLM-L6-v2"),
                Path.Combine(store.Path, "hub", "models--sentence-transformers--all-MiniLM-L6-v2", "snapshots", "<refs/main>"),
                "embedded resources 'SentenceEmbeddings.Models/sentence-transformers/all-MiniLM-L6-v2/…' in the loaded assemblies",
            ],
            exception.SearchedLocations);
        Assert.All(exception.SearchedLocations, l => Assert.Contains(l, exception.Message, StringComparison.Ordinal));
        Assert.Contains("sentence-embeddings download --model sentence-transformers/all-MiniLM-L6-v2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_FolderWithoutOnnx_IsSkipped()
    {
        using var store = new TempDirectory();
        store.Write("all-MiniLM-L6-v2/modules.json", "[]");
        var locator = new ModelLocator(store.Path, Path.Combine(store.Path, "hub"));

        Assert.Throws<ModelNotFoundException>(() => locator.Locate(Fast));
    }

    [Fact]
    public async Task Locate_EmbeddedModel_IsUnpackedOnceAndEmbeds()
    {
        using var store = new TempDirectory();
        var tier = new EmbeddingTier("embedded", SentenceEmbeddings.EmbeddedModel.EmbeddedModelMarker.ModelId);

        // Only loaded assemblies are searched; an application's own (entry) assembly always is.
        Assert.NotNull(typeof(SentenceEmbeddings.EmbeddedModel.EmbeddedModelMarker).Assembly);
        var locator = new ModelLocator(Path.Combine(store.Path, "root"), Path.Combine(store.Path, "hub"), Path.Combine(store.Path, "embedded"));

        string folder = locator.Locate(tier);

        Assert.StartsWith(Path.Combine(store.Path, "embedded", "SentenceEmbeddings.EmbeddedModel-"), folder, StringComparison.Ordinal);
        Assert.EndsWith("embedded-test--all-MiniLM-L6-v2", folder, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")).Length, new FileInfo(Path.Combine(folder, "onnx", "model.onnx")).Length);
        Assert.Equal(folder, locator.Locate(tier));

        using var generator = new SentenceEmbeddingGenerator(folder);
        ReadOnlyMemory<float> vector = await Microsoft.Extensions.AI.EmbeddingGeneratorExtensions.GenerateVectorAsync(generator, "The quick brown fox jumps over the lazy dog.");
        ReferenceItem fox = ReferenceData.MiniLM.Items.First(i => i.Text == "The quick brown fox jumps over the lazy dog.");
        Assert.True(VectorMath.Cosine(vector.Span, fox.Embedding) >= 0.99999);
    }
}
