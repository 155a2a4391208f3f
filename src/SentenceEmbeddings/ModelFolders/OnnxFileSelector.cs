namespace SentenceEmbeddings.ModelFolders;

/// <summary>The ONNX file names of a sentence-transformers folder and which one runs, from the files it has, the variant asked for and the hardware.</summary>
/// <remarks>The one place these names live: the generator, the tier locator and the hub downloader all choose through it.</remarks>
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
    public static string? Select(IReadOnlyCollection<string> files, OnnxVariant variant, CpuFeatures cpu, bool useCuda) =>
        Candidates(variant, cpu, useCuda).FirstOrDefault(candidate => files.Contains(candidate, StringComparer.Ordinal));

    /// <summary>Picks the file to run among the ONNX files of a model folder and its <c>onnx/</c> folder.</summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="variant">The variant asked for.</param>
    /// <param name="cpu">The CPU's instruction sets.</param>
    /// <param name="useCuda">Whether the model runs on CUDA.</param>
    /// <returns>The relative path of the file, or <see langword="null"/> when the folder holds none that fits.</returns>
    public static string? SelectIn(string directory, OnnxVariant variant, CpuFeatures cpu, bool useCuda) =>
        Directory.Exists(directory) ? Select(ListOnnxFiles(directory), variant, cpu, useCuda) : null;

    /// <summary>The files that may run, best first: for <see cref="OnnxVariant.Auto"/> on a CPU the published int8 variants made for it
    /// (in <c>onnx/</c>, then at the root), then the fp32 exports.</summary>
    public static IEnumerable<string> Candidates(OnnxVariant variant, CpuFeatures cpu, bool useCuda)
    {
        if (variant == OnnxVariant.Auto && !useCuda)
        {
            foreach (string name in Int8Preference(cpu))
            {
                yield return $"onnx/{name}";
                yield return name;
            }
        }

        foreach (string fp32 in Fp32Files)
        {
            yield return fp32;
        }
    }

    /// <summary>Lists the ONNX files in a model folder and its <c>onnx/</c> folder, relative, with <c>/</c> separators.</summary>
    private static List<string> ListOnnxFiles(string directory)
    {
        var files = new List<string>();
        foreach (string folder in (string[])[directory, Path.Combine(directory, "onnx")])
        {
            if (Directory.Exists(folder))
            {
                files.AddRange(Directory.EnumerateFiles(folder, "*.onnx").Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')));
            }
        }

        return files;
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
