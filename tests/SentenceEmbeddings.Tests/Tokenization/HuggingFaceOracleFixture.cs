namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Shares one HuggingFace oracle on MiniLM's settings among the parity tests, which run one after another in its collection.</summary>
public sealed class HuggingFaceOracleFixture : IDisposable
{
    internal HuggingFaceOracle Oracle { get; } = HuggingFaceOracle.Create();

    public void Dispose() => Oracle.Dispose();
}
