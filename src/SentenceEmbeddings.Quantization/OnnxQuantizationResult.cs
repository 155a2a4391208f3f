namespace SentenceEmbeddings;

/// <summary>What <see cref="OnnxQuantizer.QuantizeAsync"/> wrote and how close its embeddings are to fp32.</summary>
/// <param name="InputPath">The full path of the fp32 file.</param>
/// <param name="OutputPath">The full path of the int8 file written.</param>
/// <param name="QuantizedNodeCount">The number of MatMul and Gemm nodes turned into int8 products.</param>
/// <param name="InputBytes">The size of the fp32 file.</param>
/// <param name="OutputBytes">The size of the int8 file.</param>
/// <param name="CalibrationTextCount">The number of texts the quality gate embedded.</param>
/// <param name="MeanCosine">The mean cosine similarity between the fp32 and int8 embeddings of the calibration texts.</param>
/// <param name="MinCosine">The smallest of those cosine similarities.</param>
/// <param name="PassedGate">Whether <paramref name="MeanCosine"/> reached the threshold (false only when the file was written with <see cref="OnnxQuantizationOptions.WarnOnly"/>).</param>
public sealed record OnnxQuantizationResult(
    string InputPath,
    string OutputPath,
    int QuantizedNodeCount,
    long InputBytes,
    long OutputBytes,
    int CalibrationTextCount,
    double MeanCosine,
    double MinCosine,
    bool PassedGate);
