using System.CommandLine;
using System.Globalization;
using SentenceEmbeddings.Quantization;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>quantize</c> command: writes a dynamic int8 variant of a model's ONNX file once it embeds close enough to fp32.</summary>
internal static class QuantizeCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelDir = new Option<DirectoryInfo>("--model-dir") { Description = "The sentence-transformers model folder (with its fp32 ONNX export).", Required = true };
        var onnxFile = new Option<string?>("--onnx-file") { Description = "The fp32 file to quantize, relative to the folder; model.onnx, else onnx/model.onnx, when omitted." };
        var output = new Option<string?>("--out") { Description = $"The int8 file to write, relative to the folder or absolute; {OnnxQuantizationOptions.DefaultOutputFileName} next to the fp32 file when omitted." };
        var calibration = new Option<FileInfo?>("--calibration") { Description = "Texts for the quality gate, one per line; a built-in sample of 48 English texts when omitted." };
        var minCosine = new Option<double>("--min-cosine") { Description = "The least mean cosine similarity to fp32 on the calibration texts that is accepted.", DefaultValueFactory = _ => 0.98 };
        var warnOnly = new Option<bool>("--warn-only") { Description = "Write the file even when it is below --min-cosine, with a warning." };
        var force = new Option<bool>("--force") { Description = "Replace an existing output file." };
        var perTensor = new Option<bool>("--per-tensor") { Description = "One scale per weight matrix instead of one per output column (less precise)." };
        var reduceRange = new Option<bool>("--reduce-range") { Description = "7-bit weights, as onnxruntime's Python quantizer's reduce_range." };
        var attention = new Option<AttentionQuantization>("--attention")
        {
            Description = "Flash: int8 Q/K/V products into MultiHeadAttention, flash attention for batches without padding (default, fastest); QAttention: fused, int8 weights; " +
                "FusedFp32: fused fp32 Attention, the rest int8; Unfused: the first release's MatMul-only rewrite.",
            DefaultValueFactory = _ => AttentionQuantization.Flash,
        };
        var command = new Command("quantize", "Write a dynamic int8 variant of a model's ONNX file for ONNX Runtime's CPU int8 kernels, checked against fp32 first.")
        {
            modelDir, onnxFile, output, calibration, minCosine, warnOnly, force, perTensor, reduceRange, attention,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = new OnnxQuantizationOptions
            {
                OnnxFile = result.GetValue(onnxFile),
                OutputFile = result.GetValue(output),
                MinimumMeanCosine = result.GetValue(minCosine),
                WarnOnly = result.GetValue(warnOnly),
                Overwrite = result.GetValue(force),
                PerChannel = !result.GetValue(perTensor),
                ReduceRange = result.GetValue(reduceRange),
                Attention = result.GetValue(attention),
            };
            return RunAsync(result.GetValue(modelDir)!, result.GetValue(calibration), options, Console.Out, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(DirectoryInfo modelDir, FileInfo? calibration, OnnxQuantizationOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            if (calibration is not null)
            {
                options.CalibrationTexts = [.. (await File.ReadAllLinesAsync(calibration.FullName, cancellationToken).ConfigureAwait(false)).Where(l => l.Length > 0)];
            }

            OnnxQuantizationResult result = await OnnxQuantizer.QuantizeAsync(modelDir.FullName, options, cancellationToken).ConfigureAwait(false);
            CultureInfo invariant = CultureInfo.InvariantCulture;
            await output.WriteLineAsync(string.Create(invariant, $"input:        {result.InputPath} ({result.InputBytes / 1e6:F1} MB)")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(invariant, $"output:       {result.OutputPath} ({result.OutputBytes / 1e6:F1} MB)")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(invariant, $"quantized:    {result.QuantizedNodeCount} nodes (Attention as {options.Attention})")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(invariant, $"cosine:       mean {result.MeanCosine:F5}, min {result.MinCosine:F5} to fp32 on {result.CalibrationTextCount} texts (threshold {options.MinimumMeanCosine:F5})")).ConfigureAwait(false);
            if (!result.PassedGate)
            {
                await Console.Error.WriteLineAsync(string.Create(invariant, $"warning: the mean cosine {result.MeanCosine:F5} is below {options.MinimumMeanCosine:F5}; the file was written because of --warn-only.")).ConfigureAwait(false);
            }

            return 0;
        }
        catch (Exception exception) when (exception is FileNotFoundException or InvalidModelFileException or QuantizationQualityException or IOException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
