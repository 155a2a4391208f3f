namespace SentenceEmbeddings;

/// <summary>Represents a quantized model whose embeddings are too far from the fp32 model's; the file was not written.</summary>
public sealed class QuantizationQualityException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="QuantizationQualityException"/> class.</summary>
    public QuantizationQualityException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="QuantizationQualityException"/> class with a message.</summary>
    /// <param name="message">The message that describes the problem.</param>
    public QuantizationQualityException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="QuantizationQualityException"/> class with a message and its cause.</summary>
    /// <param name="message">The message that describes the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public QuantizationQualityException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="QuantizationQualityException"/> class with the measured figures.</summary>
    /// <param name="meanCosine">The mean cosine similarity to fp32 measured on the calibration texts.</param>
    /// <param name="minCosine">The smallest cosine similarity measured.</param>
    /// <param name="threshold">The least mean cosine similarity accepted.</param>
    /// <param name="outputPath">The file that was not written.</param>
    public QuantizationQualityException(double meanCosine, double minCosine, double threshold, string outputPath)
        : base(FormattableString.Invariant(
            $"The int8 model's embeddings have a mean cosine of {meanCosine:F5} (min {minCosine:F5}) to fp32 on the calibration texts, below the threshold {threshold:F5}; '{outputPath}' was not written. Lower the threshold, calibrate with texts closer to your data, or write it anyway with WarnOnly (--warn-only)."))
    {
        MeanCosine = meanCosine;
        MinCosine = minCosine;
        Threshold = threshold;
        OutputPath = outputPath;
    }

    /// <summary>Gets the mean cosine similarity to fp32 measured on the calibration texts.</summary>
    public double MeanCosine { get; }

    /// <summary>Gets the smallest cosine similarity measured.</summary>
    public double MinCosine { get; }

    /// <summary>Gets the least mean cosine similarity that was required.</summary>
    public double Threshold { get; }

    /// <summary>Gets the file that was not written.</summary>
    public string? OutputPath { get; }
}
