namespace SentenceEmbeddings.Cuda.Tests;

/// <summary>A test of what happens when CUDA cannot start; skipped where <c>SENTENCE_EMBEDDINGS_TEST_GPU=1</c> says CUDA works.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoGpuFactAttribute : FactAttribute
{
    public NoGpuFactAttribute()
    {
        if (GpuEnvironment.Present)
        {
            Skip = "Checks the fallback when CUDA cannot start; this machine has a working GPU.";
        }
    }
}
