namespace SentenceEmbeddings.Cuda.Tests;

/// <summary>A test that needs a real NVIDIA GPU; skipped, with the reason, unless <c>SENTENCE_EMBEDDINGS_TEST_GPU=1</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!GpuEnvironment.Present)
        {
            Skip = $"Needs an NVIDIA GPU with CUDA 13 and cuDNN 9; run benchmarks/gpu-check.sh there (it sets {GpuEnvironment.Variable}=1).";
        }
    }
}
