using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SentenceEmbeddings.Cli.Commands;
using SentenceEmbeddings.ModelFolders;
using SentenceEmbeddings.Quantization;
using SentenceEmbeddings.Tiers;
using Xunit.Abstractions;

namespace SentenceEmbeddings.Tests.Quantization;

[Collection(ModelsGroup.Name)]
public sealed class OnnxQuantizerTests(GeneratorFixture fp32, QuantizedModelsFixture quantized, ITestOutputHelper output) : IClassFixture<QuantizedModelsFixture>
{
    // A sample of the benchmark corpora: the first 256 short texts and the first 64 long ones, to keep the test quick on 2 cores.
    private static readonly string[] ShortTexts = [.. File.ReadLines(Path.Combine(TestModels.Assets, "data", "corpus", "short.txt")).Take(256)];
    private static readonly string[] LongTexts = [.. File.ReadLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt")).Take(64)];

    [Fact]
    public void QuantizeAsync_MiniLM_RunsEveryAttentionBlockAsFlashAttentionWithoutPaddingAndPassesTheGate()
    {
        OnnxQuantizationResult result = quantized.MiniLMResult;

        // 6 layers × (attention, attention output, two feed-forward) + the pooler.
        Assert.Equal(25, result.QuantizedNodeCount);
        Assert.Equal(Path.Combine(quantized.MiniLMFolder, "onnx", OnnxQuantizationOptions.DefaultOutputFileName), result.OutputPath);
        Assert.True(result.PassedGate);
        Assert.InRange(result.MeanCosine, 0.99, 1.0);
        Assert.Equal(48, result.CalibrationTextCount);

        // The word embeddings (30522 × 384 floats, 47 MB) stay fp32; the 21 M matrix weights shrink 4×.
        Assert.InRange(result.OutputBytes, 55_000_000, 62_000_000);
        Assert.InRange(result.InputBytes, 90_000_000, 92_000_000);

        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.OutputPath));
        ILookup<string, NodeProto> byType = model.Graph.Node.ToLookup(n => n.OpType);
        Assert.Empty(byType["QAttention"]);
        Assert.Empty(byType["Softmax"]);

        // One padding test on the mask, then per block: int8 Q, K and V products and an If that runs MultiHeadAttention without the mask (flash) or with it.
        NodeProto test = Assert.Single(byType["Equal"]);
        Assert.Equal("attention_mask", Assert.Single(byType["ReduceMin"]).Input.Single());
        Assert.Equal(6, byType["If"].Count());
        foreach (NodeProto branch in byType["If"])
        {
            Assert.Equal(test.Output[0], branch.Input.Single());
            NodeProto flash = Assert.Single(branch.Attribute.Single(a => a.Name == "then_branch").G.Node);
            NodeProto masked = Assert.Single(branch.Attribute.Single(a => a.Name == "else_branch").G.Node);
            Assert.All([flash, masked], n => Assert.Equal(("MultiHeadAttention", AttentionFusion.MicrosoftDomain, 12L), (n.OpType, n.Domain, n.Attribute.Single(a => a.Name == "num_heads").I)));
            Assert.Equal(4, flash.Input.Count);
            Assert.Equal([.. flash.Input, "attention_mask_int32"], masked.Input);
        }

        Assert.Equal((6 * 3) + 19, byType["DynamicQuantizeLinear"].Count());
        Assert.Equal((6 * 3) + 19, byType["MatMulInteger"].Count());
        HashSet<string> initializers = [.. model.Graph.Initializer.Select(t => t.Name)];
        Assert.DoesNotContain(byType["MatMul"], n => initializers.Contains(n.Input[1]));
        Assert.Contains(byType["Gather"], n => initializers.Contains(n.Input[0]));
        Assert.Contains(model.OpsetImport, o => o.Domain == AttentionFusion.MicrosoftDomain && o.Version == 1);
        Assert.Contains("(6 attention blocks fused, int8 Q/K/V into MultiHeadAttention, flash without padding)", model.MetadataProps.Single(p => p.Key == OnnxQuantizer.MetadataKey).Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AttentionQuantization.QAttention, 25, "QAttention", 6)]
    [InlineData(AttentionQuantization.FusedFp32, 19, "Attention", 6)]
    [InlineData(AttentionQuantization.Unfused, 37, "Softmax", 6)]
    public async Task QuantizeAsync_OtherAttentionChoices_WriteTheirGraphAndPassTheGate(AttentionQuantization attention, int quantizedNodes, string opType, int count)
    {
        using var folder = new TempDirectory();
        string target = Path.Combine(folder.Path, $"int8_{attention}.onnx");
        OnnxQuantizationResult result = await OnnxQuantizer.QuantizeAsync(quantized.MiniLMFolder, new OnnxQuantizationOptions { Attention = attention, OutputFile = target });

        Assert.Equal(quantizedNodes, result.QuantizedNodeCount);
        Assert.InRange(result.MeanCosine, 0.99, 1.0);
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.OutputPath));
        Assert.Equal(count, model.Graph.Node.Count(n => n.OpType == opType));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "If" or "MultiHeadAttention");
        string described = attention switch { AttentionQuantization.QAttention => "QAttention)", AttentionQuantization.Unfused => "unfused)", _ => "Attention fp32)" };
        Assert.Contains(described, model.MetadataProps.Single(p => p.Key == OnnxQuantizer.MetadataKey).Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flash_BothBranches_GiveQAttentionsVectors()
    {
        // Same int8 weights and input quantization; only the attention kernel differs: flash alone (no padding), masked in a padded batch.
        using var folder = new TempDirectory();
        OnnxQuantizationResult reference = await OnnxQuantizer.QuantizeAsync(quantized.MiniLMFolder, new OnnxQuantizationOptions { Attention = AttentionQuantization.QAttention, OutputFile = Path.Combine(folder.Path, "qattention.onnx") });
        using var qattention = new SentenceEmbeddingGenerator(quantized.MiniLMFolder, new SentenceEmbeddingGeneratorOptions { OnnxFile = reference.OutputPath });
        string[] texts = ["A man is playing a guitar.", "The new movie is awesome, and everyone in the theatre laughed at the same time.", "Hi"];

        foreach ((string name, string[] batch) in texts.Select(t => ("alone", new[] { t })).Append(("padded", texts)))
        {
            GeneratedEmbeddings<Embedding<float>> expected = await qattention.GenerateAsync(batch);
            GeneratedEmbeddings<Embedding<float>> actual = await quantized.MiniLM.GenerateAsync(batch);
            for (int i = 0; i < batch.Length; i++)
            {
                float[] a = expected[i].Vector.ToArray();
                float[] b = actual[i].Vector.ToArray();
                double largest = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
                output.WriteLine($"{name} '{batch[i]}': largest difference to QAttention {largest:E2}");

                Assert.InRange(largest, 0, 1e-6);
            }
        }
    }

    [Theory]
    [InlineData(new long[] { 1, 1, 1, 1 }, "_flash", "_masked")]
    [InlineData(new long[] { 1, 1, 1, 0 }, "_masked", "_flash")]
    public void Flash_TheMaskChoosesTheBranch(long[] mask, string runs, string skipped)
    {
        using var options = new SessionOptions { EnableProfiling = true, ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), $"se-flash-{Guid.NewGuid():N}") };
        using var session = new InferenceSession(quantized.MiniLMResult.OutputPath, options);
        long[] shape = [1, mask.Length];
        using OrtValue ids = OrtValue.CreateTensorValueFromMemory(new long[] { 101, 7592, 2088, 102 }, shape);
        using OrtValue attention = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using OrtValue types = OrtValue.CreateTensorValueFromMemory(new long[mask.Length], shape);
        using (session.Run(new RunOptions(), ["input_ids", "attention_mask", "token_type_ids"], [ids, attention, types], [session.OutputNames[0]]))
        {
        }

        string profile = session.EndProfiling();
        string[] kernels = [.. System.Text.Json.JsonDocument.Parse(File.ReadAllText(profile)).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("name").GetString()!)
            .Where(n => n.EndsWith("_kernel_time", StringComparison.Ordinal))];
        File.Delete(profile);

        Assert.Equal(6, kernels.Count(n => n.Contains(runs + "_kernel_time", StringComparison.Ordinal)));
        Assert.DoesNotContain(kernels, n => n.Contains(skipped, StringComparison.Ordinal));
    }

    [Fact]
    public void QuantizeAsync_Output_LoadsInOnnxRuntimeWithItsMetadata()
    {
        using var session = new InferenceSession(quantized.ArcticResult.OutputPath);

        Assert.Contains("per-channel", session.ModelMetadata.CustomMetadataMap[OnnxQuantizer.MetadataKey], StringComparison.Ordinal);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], session.InputNames);
    }

    [Fact]
    public async Task MiniLM_Int8_StsBenchmarkWithinHalfAPointOfFp32()
    {
        // fp32 gives 82.03 (StsBenchmarkTests).
        double spearman = await StsBenchmarkAsync(quantized.MiniLM);
        output.WriteLine($"STS-B test, all-MiniLM-L6-v2 int8 (ours): Spearman x 100 = {spearman:F3} (fp32 82.03)");

        Assert.InRange(spearman, 82.03 - 0.5, 82.03 + 0.5);
    }

    [Fact]
    public async Task Arctic_Int8_StsBenchmarkWithinHalfAPointOfFp32()
    {
        double reference = await StsBenchmarkAsync(fp32.Arctic);
        double spearman = await StsBenchmarkAsync(quantized.Arctic);
        output.WriteLine($"STS-B test, arctic-embed-xs: fp32 {reference:F3}, int8 (ours) {spearman:F3}");

        Assert.InRange(spearman, reference - 0.5, reference + 0.5);
    }

    [Theory]
    [InlineData("MiniLM", "short")]
    [InlineData("MiniLM", "long")]
    [InlineData("Arctic", "short")]
    [InlineData("Arctic", "long")]
    public async Task Int8_MeanCosineToFp32_IsAtLeast099(string model, string corpus)
    {
        (SentenceEmbeddingGenerator reference, SentenceEmbeddingGenerator candidate) = model == "MiniLM" ? (fp32.MiniLM, quantized.MiniLM) : (fp32.Arctic, quantized.Arctic);
        string[] texts = corpus == "short" ? ShortTexts : LongTexts;

        GeneratedEmbeddings<Embedding<float>> expected = await reference.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> actual = await candidate.GenerateAsync(texts);
        double[] cosines = [.. Enumerable.Range(0, texts.Length).Select(i => VectorMath.Cosine(expected[i].Vector.Span, actual[i].Vector.Span))];
        output.WriteLine($"{model} int8 vs fp32, {corpus} ({texts.Length} texts): mean cosine {cosines.Average():F5}, min {cosines.Min():F5}");

        Assert.InRange(cosines.Average(), 0.99, 1.0);
        Assert.True(cosines.Average() < 0.99999, "int8 should differ from fp32; is the int8 file really running?");
    }

    [Fact]
    public async Task QuantizeAsync_ThresholdOutOfReach_ThrowsAndWritesNothing()
    {
        var options = new OnnxQuantizationOptions { OutputFile = "onnx/strict.onnx", MinimumMeanCosine = 0.99999 };

        QuantizationQualityException exception = await Assert.ThrowsAsync<QuantizationQualityException>(() => OnnxQuantizer.QuantizeAsync(quantized.MiniLMFolder, options));

        Assert.Equal(0.99999, exception.Threshold);
        Assert.InRange(exception.MeanCosine, 0.98, 0.99999);
        Assert.Contains("--warn-only", exception.Message, StringComparison.Ordinal);
        Assert.Equal(["model.onnx", OnnxQuantizationOptions.DefaultOutputFileName], Directory.GetFiles(Path.Combine(quantized.MiniLMFolder, "onnx")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cli_WarnOnlyBelowThreshold_WritesTheFileAndSaysSo()
    {
        using var folder = new TempDirectory();
        string target = Path.Combine(folder.Path, "warned.onnx");
        var options = new OnnxQuantizationOptions { OutputFile = target, MinimumMeanCosine = 0.99999, WarnOnly = true };
        string calibration = folder.Write("calibration.txt", "A man is playing a guitar.\nThe weather is lovely today.\n\nHow do I reset my password?\n");
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        Assert.Equal(0, await QuantizeCommand.RunAsync(new DirectoryInfo(quantized.MiniLMFolder), new FileInfo(calibration), options, writer, CancellationToken.None));

        Assert.True(File.Exists(target));
        Assert.Contains("on 3 texts (threshold 0.99999)", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("quantized:    25 nodes (Attention as Flash)", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuantizeAsync_ExistingOutput_RefusesUnlessOverwrite()
    {
        using var folder = new TempDirectory();
        string existing = folder.Write("taken.onnx", "keep me");

        IOException exception = await Assert.ThrowsAsync<IOException>(() => OnnxQuantizer.QuantizeAsync(quantized.MiniLMFolder, new OnnxQuantizationOptions { OutputFile = existing }));
        Assert.Contains("--force", exception.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(existing));
        Assert.Equal(1, await QuantizeCommand.RunAsync(new DirectoryInfo(quantized.MiniLMFolder), null, new OnnxQuantizationOptions { OutputFile = existing }, TextWriter.Null, CancellationToken.None));
    }

    [Fact]
    public async Task QuantizeAsync_OutputIsTheInput_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => OnnxQuantizer.QuantizeAsync(quantized.MiniLMFolder, new OnnxQuantizationOptions { OutputFile = "onnx/model.onnx", Overwrite = true }));
    }

    [Fact]
    public async Task QuantizeAsync_QuantizedFile_HasNothingLeftToQuantize()
    {
        var options = new OnnxQuantizationOptions { OnnxFile = quantized.MiniLMResult.OutputPath, OutputFile = "twice.onnx" };

        InvalidModelFileException exception = await Assert.ThrowsAsync<InvalidModelFileException>(() => OnnxQuantizer.QuantizeAsync(quantized.MiniLMFolder, options));

        Assert.Contains("nothing to quantize", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Defaults_ArePinnedAndValidated()
    {
        var options = new OnnxQuantizationOptions();

        Assert.Null(options.OnnxFile);
        Assert.Null(options.OutputFile);
        Assert.False(options.Overwrite);
        Assert.True(options.PerChannel);
        Assert.False(options.ReduceRange);
        Assert.Null(options.CalibrationTexts);
        Assert.Equal(0.98, options.MinimumMeanCosine);
        Assert.False(options.WarnOnly);
        Assert.Equal(AttentionQuantization.Flash, options.Attention);
        Assert.Equal("model_int8_dynamic.onnx", OnnxQuantizationOptions.DefaultOutputFileName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxQuantizationOptions { MinimumMeanCosine = 1.5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxQuantizationOptions { MinimumMeanCosine = double.NaN }.Validate());
        Assert.Throws<ArgumentException>(() => new OnnxQuantizationOptions { CalibrationTexts = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new OnnxQuantizationOptions { OutputFile = " " }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxQuantizationOptions { Attention = (AttentionQuantization)7 }.Validate());
    }

    [Fact]
    public async Task Auto_PublishedVariantNameForTheCpu_IsPickedAndFp32IsKeptWhenAsked()
    {
        // Our file under the name published for AVX2, beside fp32 and beside an AVX-512 VNNI variant an AVX2 CPU must not pick.
        using TempDirectory folder = InFolderWithPublishedNames();
        var options = new SentenceEmbeddingGeneratorOptions { OnnxVariant = OnnxVariant.Auto, Cpu = Avx2Cpu };

        using var auto = new SentenceEmbeddingGenerator(folder.Path, options);
        using var exact = new SentenceEmbeddingGenerator(folder.Path, new SentenceEmbeddingGeneratorOptions { OnnxVariant = OnnxVariant.Fp32, Cpu = Avx2Cpu });
        using var explicitFile = new SentenceEmbeddingGenerator(folder.Path, new SentenceEmbeddingGeneratorOptions { OnnxVariant = OnnxVariant.Auto, Cpu = Avx2Cpu, OnnxFile = "onnx/model.onnx" });

        Assert.Equal("onnx/model_quint8_avx2.onnx", auto.OnnxFile);
        Assert.Equal("onnx/model.onnx", exact.OnnxFile);
        Assert.Equal("onnx/model.onnx", explicitFile.OnnxFile);

        string[] texts = ["The weather is lovely today.", "He drove to the stadium."];
        GeneratedEmbeddings<Embedding<float>> fromAuto = await auto.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> fromInt8 = await quantized.MiniLM.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> fromFp32 = await exact.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> reference = await fp32.MiniLM.GenerateAsync(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(0f, VectorMath.MaxAbsDifference(reference[i].Vector.Span, fromFp32[i].Vector.Span));
            Assert.Equal(0f, VectorMath.MaxAbsDifference(fromInt8[i].Vector.Span, fromAuto[i].Vector.Span));
            Assert.NotEqual(0f, VectorMath.MaxAbsDifference(fromFp32[i].Vector.Span, fromAuto[i].Vector.Span));
        }
    }

    [Fact]
    public async Task Registry_AutoDefaultAndFp32Tier_ReportTheFileEachRuns()
    {
        using TempDirectory folder = InFolderWithPublishedNames();
        var options = new SentenceEmbeddingsOptions { OnnxVariant = OnnxVariant.Auto, HuggingFaceHubCache = Path.Combine(folder.Path, "no-hub") };
        options.Tiers["fast"] = new EmbeddingTierOptions { Path = folder.Path };
        options.Tiers["exact"] = new EmbeddingTierOptions { ModelId = "sentence-transformers/all-MiniLM-L6-v2", Path = folder.Path, OnnxVariant = OnnxVariant.Fp32 };
        using var registry = new EmbeddingTierRegistry(options, null, SentenceEmbeddings.Hub.HubEnvironment.Read(_ => null), cpu: Avx2Cpu);

        Assert.Equal("onnx/model_quint8_avx2.onnx", registry.ResolveOnnxFile("fast"));
        Assert.Equal("onnx/model_quint8_avx2.onnx", (await registry.LoadAsync("fast")).OnnxFile);
        Assert.Equal("onnx/model.onnx", registry.ResolveOnnxFile("exact"));
        Assert.Equal("onnx/model.onnx", (await registry.LoadAsync("exact")).OnnxFile);
    }

    private static readonly CpuFeatures Avx2Cpu = new(Avx512Vnni: false, Avx512: false, Avx2: true, Arm64: false);

    private TempDirectory InFolderWithPublishedNames()
    {
        TempDirectory folder = TestModels.CopyOf(TestModels.MiniLM);
        File.Copy(quantized.MiniLMResult.OutputPath, Path.Combine(folder.Path, "onnx", "model_quint8_avx2.onnx"));
        File.CreateSymbolicLink(Path.Combine(folder.Path, "onnx", "model_qint8_avx512_vnni.onnx"), Path.Combine(folder.Path, "onnx", "model.onnx"));
        return folder;
    }

    private static async Task<double> StsBenchmarkAsync(SentenceEmbeddingGenerator generator)
    {
        string[][] rows = [.. File.ReadLines(Path.Combine(TestModels.Assets, "data", "stsb", "test.tsv")).Skip(1).Select(l => l.Split('\t'))];
        GeneratedEmbeddings<Embedding<float>> first = await generator.GenerateAsync(rows.Select(r => r[1]));
        GeneratedEmbeddings<Embedding<float>> second = await generator.GenerateAsync(rows.Select(r => r[2]));
        double[] gold = [.. rows.Select(r => double.Parse(r[0], CultureInfo.InvariantCulture))];
        double[] predicted = [.. Enumerable.Range(0, rows.Length).Select(i => VectorMath.Cosine(first[i].Vector.Span, second[i].Vector.Span))];
        return VectorMath.Spearman(gold, predicted) * 100;
    }
}
