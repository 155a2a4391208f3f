namespace SentenceEmbeddings.Tests;

/// <summary>One loaded generator per real model, shared by the test classes of the "models" collection.</summary>
public sealed class GeneratorFixture : IDisposable
{
    public GeneratorFixture()
    {
        MiniLM = new SentenceEmbeddingGenerator(TestModels.MiniLM);
        Arctic = new SentenceEmbeddingGenerator(TestModels.Arctic);
    }

    public SentenceEmbeddingGenerator MiniLM { get; }

    public SentenceEmbeddingGenerator Arctic { get; }

    public void Dispose()
    {
        MiniLM.Dispose();
        Arctic.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ModelsGroup : ICollectionFixture<GeneratorFixture>
{
    public const string Name = "models";
}
