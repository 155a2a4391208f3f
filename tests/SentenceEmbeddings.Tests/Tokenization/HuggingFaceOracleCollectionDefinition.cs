namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>The test collection whose classes share <see cref="HuggingFaceOracleFixture"/>; the native tokenizer is used by one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class HuggingFaceOracleCollectionDefinition : ICollectionFixture<HuggingFaceOracleFixture>
{
    public const string Name = "HuggingFace tokenizer oracle";
}
