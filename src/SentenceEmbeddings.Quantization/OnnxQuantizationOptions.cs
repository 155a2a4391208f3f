namespace SentenceEmbeddings;

/// <summary>Options for <see cref="OnnxQuantizer.QuantizeAsync"/>: which file to quantize, where to write it, and the quality gate.</summary>
public sealed class OnnxQuantizationOptions
{
    /// <summary>The file name written next to the fp32 file when <see cref="OutputFile"/> is not set.</summary>
    /// <remarks>Deliberately not one of the published variant names, so <see cref="OnnxVariant.Auto"/> picks it only once it is renamed.</remarks>
    public const string DefaultOutputFileName = "model_int8_dynamic.onnx";

    /// <summary>Gets or sets the fp32 ONNX file to quantize, relative to the model folder.</summary>
    /// <value>The default is <see langword="null"/>: <c>model.onnx</c>, else <c>onnx/model.onnx</c>.</value>
    public string? OnnxFile { get; set; }

    /// <summary>Gets or sets the file to write, relative to the model folder or absolute.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="DefaultOutputFileName"/> in the fp32 file's folder.</value>
    public string? OutputFile { get; set; }

    /// <summary>Gets or sets a value indicating whether an existing output file is replaced.</summary>
    /// <value>The default is <see langword="false"/>: an existing file is an error.</value>
    public bool Overwrite { get; set; }

    /// <summary>Gets or sets a value indicating whether each output column of a weight gets its own scale (per-channel) instead of one per tensor.</summary>
    /// <value>The default is <see langword="true"/>: per-channel keeps columns with small weights precise, at no cost in speed.</value>
    public bool PerChannel { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether weights use 7 bits (−63…63) instead of 8, as ONNX Runtime's Python quantizer does with <c>reduce_range</c>.</summary>
    /// <value>The default is <see langword="false"/>: on AVX-512 VNNI and AVX2 the full range measured closer to fp32 (docs/quantization.md).</value>
    public bool ReduceRange { get; set; }

    /// <summary>Gets or sets how self-attention blocks are rewritten.</summary>
    /// <value>The default is <see cref="AttentionQuantization.Flash"/>: int8 products into <c>MultiHeadAttention</c>, the fastest of the four with the quality gate passed (docs/quantization.md).</value>
    public AttentionQuantization Attention { get; set; } = AttentionQuantization.Flash;

    /// <summary>Gets or sets the texts the quality gate embeds with both files.</summary>
    /// <value>The default is <see langword="null"/>: a built-in sample of 48 varied English sentences and passages.</value>
    public IReadOnlyList<string>? CalibrationTexts { get; set; }

    /// <summary>Gets or sets the least mean cosine similarity between fp32 and int8 embeddings of the calibration texts that the gate accepts.</summary>
    /// <value>The default is 0.98: all-MiniLM-L6-v2 and arctic-embed-xs reach about 0.99 and lose under 1 point of STS-B Spearman.</value>
    public double MinimumMeanCosine { get; set; } = 0.98;

    /// <summary>Gets or sets a value indicating whether a file below <see cref="MinimumMeanCosine"/> is written anyway (the result says it failed) instead of refused.</summary>
    /// <value>The default is <see langword="false"/>: a file below the threshold is not written and <see cref="QuantizationQualityException"/> is thrown.</value>
    public bool WarnOnly { get; set; }

    /// <summary>Throws when a value is out of its range.</summary>
    internal void Validate()
    {
        if (double.IsNaN(MinimumMeanCosine) || MinimumMeanCosine is < -1 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumMeanCosine), MinimumMeanCosine, "MinimumMeanCosine must be between -1 and 1.");
        }

        if (!Enum.IsDefined(Attention))
        {
            throw new ArgumentOutOfRangeException(nameof(Attention), Attention, "Attention must be Flash, QAttention, FusedFp32 or Unfused.");
        }

        if (CalibrationTexts is not null)
        {
            if (CalibrationTexts.Count == 0)
            {
                throw new ArgumentException("CalibrationTexts is empty; give at least one text, or null for the built-in sample.", nameof(CalibrationTexts));
            }

            for (int i = 0; i < CalibrationTexts.Count; i++)
            {
                if (CalibrationTexts[i] is null)
                {
                    throw new ArgumentException($"CalibrationTexts[{i}] is null.", nameof(CalibrationTexts));
                }
            }
        }

        if (OnnxFile is not null && string.IsNullOrWhiteSpace(OnnxFile))
        {
            throw new ArgumentException("OnnxFile is empty; name a file relative to the model folder, or null for model.onnx / onnx/model.onnx.", nameof(OnnxFile));
        }

        if (OutputFile is not null && string.IsNullOrWhiteSpace(OutputFile))
        {
            throw new ArgumentException($"OutputFile is empty; name a file, or null for {DefaultOutputFileName} next to the fp32 file.", nameof(OutputFile));
        }
    }
}
