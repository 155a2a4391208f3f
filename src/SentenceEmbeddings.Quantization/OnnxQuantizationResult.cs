namespace SentenceEmbeddings;

/// <summary>What <see cref="OnnxQuantizer.QuantizeAsync"/> wrote and how close its embeddings are to fp32.</summary>
public sealed class OnnxQuantizationResult
{
    /// <summary>Gets the full path of the fp32 file.</summary>
    public required string InputPath { get; init; }

    /// <summary>Gets the full path of the int8 file written.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Gets the number of MatMul and Gemm nodes turned into int8 products.</summary>
    public int QuantizedNodeCount { get; init; }

    /// <summary>Gets the size of the fp32 file.</summary>
    public long InputBytes { get; init; }

    /// <summary>Gets the size of the int8 file.</summary>
    public long OutputBytes { get; init; }

    /// <summary>Gets the number of texts the quality gate embedded.</summary>
    public int CalibrationTextCount { get; init; }

    /// <summary>Gets the mean cosine similarity between the fp32 and int8 embeddings of the calibration texts.</summary>
    public double MeanCosine { get; init; }

    /// <summary>Gets the smallest of those cosine similarities.</summary>
    public double MinCosine { get; init; }

    /// <summary>Gets a value indicating whether <see cref="MeanCosine"/> reached the threshold (false only when the file was written with <see cref="OnnxQuantizationOptions.WarnOnly"/>).</summary>
    public bool PassedGate { get; init; }
}
