using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace SentenceEmbeddings.Tests.DependencyInjection;

/// <summary>Resolving the registered generators the way Microsoft.Extensions.VectorData connectors do (Qdrant, PostgreSQL, …): the
/// non-generic <see cref="IEmbeddingGenerator"/> from the container (keyed or not), then, for string properties, its
/// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> face.</summary>
public sealed class VectorDataResolutionTests
{
    [Fact]
    public async Task NonGenericGenerator_DefaultAndKeyed_EmbedAsTheirTiers()
    {
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(o =>
        {
            o.HuggingFaceHubCache = Path.Combine(Path.GetTempPath(), "no-hub-" + Guid.NewGuid().ToString("N"));
            o.Tiers["fast"] = new EmbeddingTierOptions { Path = TestModels.MiniLM };
            o.Tiers["arctic"] = new EmbeddingTierOptions { ModelId = "Snowflake/snowflake-arctic-embed-xs", Path = TestModels.Arctic };
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        // What a connector's AddXxxVectorStore does when no generator is passed: sp.GetService<IEmbeddingGenerator>().
        IEmbeddingGenerator untyped = Assert.IsAssignableFrom<IEmbeddingGenerator>(provider.GetService<IEmbeddingGenerator>());
        var defaultGenerator = Assert.IsAssignableFrom<IEmbeddingGenerator<string, Embedding<float>>>(untyped);
        var keyedUntyped = provider.GetRequiredKeyedService<IEmbeddingGenerator>("arctic");
        var arcticGenerator = Assert.IsAssignableFrom<IEmbeddingGenerator<string, Embedding<float>>>(keyedUntyped);

        const string text = "Senior C# developer, remote";
        using var fast = new SentenceEmbeddingGenerator(TestModels.MiniLM);
        using var arctic = new SentenceEmbeddingGenerator(TestModels.Arctic);
        Assert.Equal((await fast.GenerateVectorAsync(text)).ToArray(), (await defaultGenerator.GenerateVectorAsync(text)).ToArray());
        Assert.Equal((await arctic.GenerateVectorAsync(text)).ToArray(), (await arcticGenerator.GenerateVectorAsync(text)).ToArray());
        Assert.Equal(384, untyped.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions);
    }
}
