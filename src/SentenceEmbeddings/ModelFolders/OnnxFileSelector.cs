namespace SentenceEmbeddings.ModelFolders;

/// <summary>Chooses which ONNX file of a model folder to run, from the files it has, the variant asked for and the hardware.</summary>
internal static class OnnxFileSelector
{
    /// <summary>The fp32 exports, in the order they are looked for.</summary>
    public static IReadOnlyList<string> Fp32Files { get; } = ["model.onnx", "onnx/model.onnx"];

    /// <summary>Picks the file to run.</summary>
    /// <param name="files">The folder's files, relative, with <c>/</c> separators.</param>
    /// <param name="variant">The variant asked for.</param>
    /// <param name="cpu">The CPU's instruction sets.</param>
    /// <param name="useCuda">Whether the model runs on CUDA, where int8 kernels are missing and fp32 is used.</param>
    /// <returns>The relative path of the file, or <see langword="null"/> when the folder has no fp32 export either.</returns>
    public static string? Select(IReadOnlyCollection<string> files, OnnxVariant variant, CpuFeatures cpu, bool useCuda)
    {
        if (variant == OnnxVariant.Auto && !useCuda)
        {
            foreach (string name in Int8Preference(cpu))
            {
                foreach (string candidate in (string[])[$"onnx/{name}", name])
                {
                    if (files.Contains(candidate, StringComparer.Ordinal))
                    {
                        return candidate;
                    }
                }
            }
        }

        return Fp32Files.FirstOrDefault(f => files.Contains(f, StringComparer.Ordinal));
    }

    /// <summary>The published int8 variants that suit a CPU, best first: each one is tuned for the instruction set in its name.</summary>
    private static string[] Int8Preference(CpuFeatures cpu) => cpu switch
    {
        { Avx512Vnni: true } => ["model_qint8_avx512_vnni.onnx", "model_qint8_avx512.onnx", "model_quint8_avx2.onnx"],
        { Avx512: true } => ["model_qint8_avx512.onnx", "model_quint8_avx2.onnx"],
        { Avx2: true } => ["model_quint8_avx2.onnx"],
        { Arm64: true } => ["model_qint8_arm64.onnx"],
        _ => [],
    };
}
