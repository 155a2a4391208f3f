using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings.Benchmarks;

/// <summary>The latency floor: an ONNX Runtime session with its default options and one pre-tokenized sentence's tensors made once, so a run is <c>session.Run</c> alone.</summary>
public sealed class RawSentenceSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;

    /// <summary>Initializes a session over <paramref name="onnxPath"/> with the sentence's token ids, and ONNX Runtime's default options unless <paramref name="options"/> are given.</summary>
    public RawSentenceSession(string onnxPath, long[] ids, SessionOptions? options = null)
    {
        _session = options is null ? new InferenceSession(onnxPath) : new InferenceSession(onnxPath, options);
        long[] shape = [1, ids.Length];
        _inputNames = [.. _session.InputNames];
        _outputNames = [_session.OutputNames[0]];
        _inputs = [.. _inputNames.Select(name => name switch
        {
            "input_ids" => OrtValue.CreateTensorValueFromMemory(ids, shape),
            "attention_mask" => OrtValue.CreateTensorValueFromMemory(ids.Select(_ => 1L).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape),
        })];
    }

    /// <summary>Runs the sentence once; returns the output's sequence length.</summary>
    public int Run()
    {
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, _inputNames, _inputs, _outputNames);
        return (int)outputs[0].GetTensorTypeAndShape().Shape[1];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        foreach (OrtValue input in _inputs)
        {
            input.Dispose();
        }
    }
}
