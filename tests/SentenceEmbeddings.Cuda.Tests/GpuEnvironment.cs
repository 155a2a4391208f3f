namespace SentenceEmbeddings.Cuda.Tests;

/// <summary>Whether this run has a real NVIDIA GPU with CUDA 13 and cuDNN 9: the caller says so with <c>SENTENCE_EMBEDDINGS_TEST_GPU=1</c>.</summary>
internal static class GpuEnvironment
{
    public const string Variable = "SENTENCE_EMBEDDINGS_TEST_GPU";

    public static bool Present { get; } = Environment.GetEnvironmentVariable(Variable) == "1";
}
