using System.Numerics.Tensors;
using Google.Protobuf;
using Microsoft.Extensions.AI;
using Onnx;
using SentenceEmbeddings.Quantization;

namespace SentenceEmbeddings;

/// <summary>Makes a dynamic int8 variant of a sentence-transformers ONNX model for ONNX Runtime's CPU int8 kernels, checked against fp32 before it is written.</summary>
/// <remarks>
/// <para>Each BERT self-attention block is first fused into one com.microsoft <c>Attention</c> node; by default its Q/K/V
/// products become int8 and feed <c>MultiHeadAttention</c>, flash attention for batches without padding
/// (<see cref="OnnxQuantizationOptions.Attention"/>); then the weights of every MatMul and Gemm node with a
/// constant weight matrix become symmetric int8 (one scale per output column by default); activations are quantized to
/// uint8 at run time. Embedding lookups, LayerNorm and the softmax stay fp32. docs/quantization.md describes the graph rewrite.</para>
/// <para>The quality gate embeds calibration texts with both files and refuses to write a file whose mean cosine similarity
/// to fp32 is below <see cref="OnnxQuantizationOptions.MinimumMeanCosine"/>.</para>
/// </remarks>
public static class OnnxQuantizer
{
    /// <summary>The key in the written model's metadata that describes the quantization.</summary>
    public const string MetadataKey = "sentence_embeddings.quantization";

    /// <summary>Quantizes a model folder's fp32 ONNX file to int8 and writes the result after the quality gate accepts it.</summary>
    /// <param name="modelDirectory">The folder of a sentence-transformers model with its fp32 ONNX export.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">The <see cref="CancellationToken"/> to monitor for cancellation requests. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>What was written and how close it is to fp32.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelDirectory"/> is empty, or an option is out of range.</exception>
    /// <exception cref="FileNotFoundException">The folder, its ONNX file or its tokenizer files are missing.</exception>
    /// <exception cref="IOException">The output file exists and <see cref="OnnxQuantizationOptions.Overwrite"/> is not set.</exception>
    /// <exception cref="InvalidModelFileException">The ONNX file is malformed or has nothing to quantize.</exception>
    /// <exception cref="QuantizationQualityException">The int8 embeddings are below the threshold and <see cref="OnnxQuantizationOptions.WarnOnly"/> is not set; nothing was written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was written.</exception>
    public static async Task<OnnxQuantizationResult> QuantizeAsync(string modelDirectory, OnnxQuantizationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        options ??= new OnnxQuantizationOptions();
        options.Validate();

        using var fp32 = new SentenceEmbeddingGenerator(modelDirectory, new SentenceEmbeddingGeneratorOptions { OnnxFile = options.OnnxFile, OnnxVariant = OnnxVariant.Fp32 });
        string inputPath = fp32.OnnxPath;
        string outputPath = options.OutputFile is null
            ? Path.Combine(Path.GetDirectoryName(inputPath)!, OnnxQuantizationOptions.DefaultOutputFileName)
            : Path.GetFullPath(Path.Combine(modelDirectory, options.OutputFile));
        if (string.Equals(outputPath, inputPath, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output file '{outputPath}' is the fp32 file itself; write the int8 model to another file.", nameof(options));
        }

        if (File.Exists(outputPath) && !options.Overwrite)
        {
            throw new IOException($"'{outputPath}' exists already. Choose another output file, or replace it with Overwrite (--force).");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        string partialPath = $"{outputPath}.{Guid.NewGuid():N}.partial";
        try
        {
            int quantizedNodes = await Task.Run(() => WriteQuantized(inputPath, partialPath, options), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> texts = options.CalibrationTexts ?? CalibrationSample.Texts;
            (double mean, double min) = await CompareAsync(fp32, modelDirectory, partialPath, texts, cancellationToken).ConfigureAwait(false);
            bool passed = mean >= options.MinimumMeanCosine;
            if (!passed && !options.WarnOnly)
            {
                throw new QuantizationQualityException(mean, min, options.MinimumMeanCosine, outputPath);
            }

            File.Move(partialPath, outputPath, overwrite: options.Overwrite);
            return new OnnxQuantizationResult
            {
                InputPath = inputPath,
                OutputPath = outputPath,
                QuantizedNodeCount = quantizedNodes,
                InputBytes = new FileInfo(inputPath).Length,
                OutputBytes = new FileInfo(outputPath).Length,
                CalibrationTextCount = texts.Count,
                MeanCosine = mean,
                MinCosine = min,
                PassedGate = passed,
            };
        }
        finally
        {
            File.Delete(partialPath);
        }
    }

    private static int WriteQuantized(string inputPath, string outputPath, OnnxQuantizationOptions options)
    {
        ModelProto model;
        try
        {
            using FileStream input = File.OpenRead(inputPath);
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new InvalidModelFileException(inputPath, $"'{inputPath}' is not a readable ONNX model ({exception.Message}). Download or export it again.", exception);
        }

        int fused = options.Attention == AttentionQuantization.Unfused ? 0 : AttentionFusion.Fuse(model);
        int count = DynamicInt8Rewriter.Rewrite(model, inputPath, options.PerChannel, options.ReduceRange, options.Attention);
        if (count == 0)
        {
            throw new InvalidModelFileException(
                inputPath,
                $"'{inputPath}' has no MatMul or Gemm node with a constant weight matrix, so there is nothing to quantize. Is it quantized already?",
                null);
        }

        string description = FormattableString.Invariant(
            $"dynamic int8: {count} nodes ({fused} attention blocks fused, {options.Attention switch { AttentionQuantization.QAttention => "QAttention", AttentionQuantization.Flash => "int8 Q/K/V into MultiHeadAttention, flash without padding", _ => fused > 0 ? "Attention fp32" : "unfused" }}), weights int8 symmetric {(options.PerChannel ? "per-channel" : "per-tensor")}{(options.ReduceRange ? " 7-bit" : string.Empty)}, activations uint8 (SentenceEmbeddings.Quantization)");
        model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = description });
        using FileStream output = File.Create(outputPath);
        model.WriteTo(output);
        return count;
    }

    private static async Task<(double Mean, double Min)> CompareAsync(
        SentenceEmbeddingGenerator fp32,
        string modelDirectory,
        string int8Path,
        IReadOnlyList<string> texts,
        CancellationToken cancellationToken)
    {
        GeneratedEmbeddings<Embedding<float>> expected = await fp32.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        GeneratedEmbeddings<Embedding<float>> actual;
        using (var int8 = new SentenceEmbeddingGenerator(modelDirectory, new SentenceEmbeddingGeneratorOptions { OnnxFile = int8Path }))
        {
            actual = await int8.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        double sum = 0;
        double min = double.MaxValue;
        for (int i = 0; i < expected.Count; i++)
        {
            double cosine = TensorPrimitives.CosineSimilarity(expected[i].Vector.Span, actual[i].Vector.Span);
            sum += cosine;
            min = Math.Min(min, cosine);
        }

        return (sum / expected.Count, min);
    }
}
