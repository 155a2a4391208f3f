using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using SentenceEmbeddings.Inference;
using SentenceEmbeddings.Tests;

namespace SentenceEmbeddings.Cuda.Tests.Inference;

/// <summary>The CUDA path runs through an I/O binding; bound to host memory it runs on the CPU too, so it is checked here without a GPU.</summary>
public sealed class IoBindingTests
{
    [Fact]
    public void Run_WithIoBinding_WritesWhatThePlainRunWrites()
    {
        string onnx = Path.Combine(TestModels.MiniLM, "onnx", "model.onnx");
        SentenceTokenizer tokenizer = SentenceTokenizer.Load(TestModels.MiniLM);
        long[][] texts = [.. ReferenceData.MiniLM.Items.Take(6).Select(i => tokenizer.Tokenize(i.Text))];
        int batch = texts.Length, length = texts.Max(t => t.Length);
        long[] ids = new long[batch * length], mask = new long[batch * length], types = new long[batch * length];
        for (int row = 0; row < batch; row++)
        {
            texts[row].CopyTo(ids, row * length);
            mask.AsSpan(row * length, texts[row].Length).Fill(1);
        }

        using OnnxEncoder plain = OnnxEncoder.Load(onnx, 0, ThreadSpinning.Never);
        using OnnxEncoder bound = OnnxEncoder.Load(onnx, 0, ThreadSpinning.Never, ExecutionProvider.Cpu, new CudaOptions(), NullLogger.Instance, "mini");
        bound.UsesIoBinding = true;
        using var runOptions = new RunOptions();
        float[] expected = new float[batch * length * plain.HiddenSize];
        float[] actual = new float[expected.Length];
        actual.AsSpan().Fill(float.NaN);

        plain.Run(ids, mask, types, batch, length, runOptions, expected);
        bound.Run(ids, mask, types, batch, length, runOptions, actual);

        Assert.Equal(expected, actual);
    }
}
