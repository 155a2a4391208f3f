using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SentenceEmbeddings.Inference;

/// <summary>Runs a transformer encoder exported to ONNX on padded batches of token ids.</summary>
/// <remarks>One session serves every caller: ONNX Runtime's <c>Run</c> is safe to call concurrently.</remarks>
internal sealed class OnnxEncoder : IDisposable
{
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _outputIsFloat16;

    private OnnxEncoder(InferenceSession session, string[] inputNames, string outputName, ModelOutputKind outputKind, int hiddenSize, bool outputIsFloat16)
    {
        _session = session;
        _inputNames = inputNames;
        _outputNames = [outputName];
        OutputKind = outputKind;
        HiddenSize = hiddenSize;
        _outputIsFloat16 = outputIsFloat16;
    }

    /// <summary>Gets what the chosen output holds.</summary>
    public ModelOutputKind OutputKind { get; }

    /// <summary>Gets the size of one output vector.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets a value indicating whether the model takes <c>token_type_ids</c>.</summary>
    public bool UsesTokenTypeIds => Array.IndexOf(_inputNames, TokenTypeIds) >= 0;

    /// <summary>Loads an ONNX model and checks that its inputs and outputs are those of a sentence encoder.</summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="intraOpNumThreads">The number of threads ONNX Runtime uses inside one run; 0 lets it choose.</param>
    /// <param name="allowSpinning">Whether ONNX Runtime's threads busy-wait between runs.</param>
    /// <returns>The encoder.</returns>
    /// <exception cref="InvalidModelFileException">The file is not an ONNX model, or not one with the inputs and outputs of a sentence encoder.</exception>
    public static OnnxEncoder Load(string onnxPath, int intraOpNumThreads, bool allowSpinning)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpNumThreads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", allowSpinning ? "1" : "0");

        InferenceSession session;
        try
        {
            session = new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new InvalidModelFileException(
                onnxPath,
                $"ONNX Runtime cannot load '{onnxPath}': {exception.Message}. The file is not a valid ONNX model (a truncated download, or another format such as " +
                "model.safetensors renamed); download onnx/model.onnx again from the model's repository.",
                exception);
        }

        try
        {
            return Create(session, onnxPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs one padded batch and writes the chosen output into <paramref name="output"/>.</summary>
    /// <param name="inputIds">The token ids, <c>[batchSize, sequenceLength]</c>, padded.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, same shape.</param>
    /// <param name="tokenTypeIds">Zeros, same shape (only passed when the model takes them).</param>
    /// <param name="batchSize">The number of sequences.</param>
    /// <param name="sequenceLength">The padded length.</param>
    /// <param name="runOptions">The run options, whose <c>Terminate</c> flag cancels the run.</param>
    /// <param name="output">Receives the output, <c>[batchSize, sequenceLength, HiddenSize]</c> or <c>[batchSize, HiddenSize]</c>, exactly that long.</param>
    public void Run(Memory<long> inputIds, Memory<long> attentionMask, Memory<long> tokenTypeIds, int batchSize, int sequenceLength, RunOptions runOptions, Memory<float> output)
    {
        long[] shape = [batchSize, sequenceLength];
        int cells = batchSize * sequenceLength;
        OrtValue[] inputs = new OrtValue[_inputNames.Length];
        try
        {
            for (int i = 0; i < _inputNames.Length; i++)
            {
                Memory<long> data = _inputNames[i] switch
                {
                    InputIds => inputIds,
                    AttentionMask => attentionMask,
                    _ => tokenTypeIds,
                };
                inputs[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data[..cells], shape);
            }

            if (_outputIsFloat16)
            {
                using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(runOptions, _inputNames, inputs, _outputNames);
                ReadOnlySpan<Float16> values = results[0].GetTensorDataAsSpan<Float16>();
                Span<float> destination = output.Span;
                for (int i = 0; i < values.Length; i++)
                {
                    destination[i] = (float)values[i];
                }

                return;
            }

            // ONNX Runtime writes straight into our buffer: no output tensor is allocated per run.
            long[] outputShape = OutputKind == ModelOutputKind.TokenEmbeddings ? [batchSize, sequenceLength, HiddenSize] : [batchSize, HiddenSize];
            using OrtValue result = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, outputShape);
            _session.Run(runOptions, _inputNames, inputs, _outputNames, [result]);
        }
        finally
        {
            foreach (OrtValue? input in inputs)
            {
                input?.Dispose();
            }
        }
    }

    /// <summary>Runs the highest id a tokenizer can emit once, so that a tokenizer larger than the model's embedding table fails at load, not on the first rare word.</summary>
    /// <param name="vocabularySize">The number of token ids the tokenizer can emit.</param>
    /// <param name="tokenizerPath">The tokenizer file, named in the message.</param>
    /// <param name="onnxPath">The ONNX file, named in the message.</param>
    /// <exception cref="InvalidModelFileException">The model cannot run that id.</exception>
    public void CheckVocabulary(int vocabularySize, string tokenizerPath, string onnxPath)
    {
        long highest = vocabularySize - 1;
        using var runOptions = new RunOptions();
        try
        {
            Run(new long[] { highest }, new long[] { 1 }, new long[] { 0 }, batchSize: 1, sequenceLength: 1, runOptions, new float[HiddenSize]);
        }
        catch (OnnxRuntimeException exception) when (exception.Message.Contains("out of", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("indices", StringComparison.OrdinalIgnoreCase))
        {
            // ONNX Runtime's CPU Gather checks the index; the message is an obscure "indices element out of data bounds".
            throw new InvalidModelFileException(
                tokenizerPath,
                $"The tokenizer '{tokenizerPath}' has {vocabularySize} token ids, but the model '{onnxPath}' has no embedding for id {highest}: the tokenizer " +
                $"files belong to another model. Download tokenizer.json, vocab.txt or sentencepiece.bpe.model from the repository the ONNX file came from. ({exception.Message})",
                exception);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new InvalidModelFileException(
                onnxPath,
                $"ONNX Runtime cannot run '{onnxPath}' on one token: {exception.Message}. Export the model again, or download onnx/model.onnx again from the model's repository.",
                exception);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static OnnxEncoder Create(InferenceSession session, string onnxPath)
    {
        var inputNames = new List<string>();
        foreach (string name in session.InputNames)
        {
            if (name is not (InputIds or AttentionMask or TokenTypeIds))
            {
                throw new InvalidModelFileException(
                    onnxPath,
                    $"'{onnxPath}' takes an input named '{name}'; a sentence encoder takes input_ids, attention_mask and optionally token_type_ids. Export the model with those inputs.",
                    null);
            }

            inputNames.Add(name);
        }

        if (!inputNames.Contains(InputIds))
        {
            throw new InvalidModelFileException(onnxPath, $"'{onnxPath}' has no 'input_ids' input; it is not a transformer encoder export.", null);
        }

        // Prefer token vectors (we pool them as the model folder says); accept an already pooled output.
        (string Name, ModelOutputKind Kind)? chosen = null;
        foreach ((string name, ModelOutputKind kind) in (ReadOnlySpan<(string, ModelOutputKind)>)
            [("token_embeddings", ModelOutputKind.TokenEmbeddings), ("last_hidden_state", ModelOutputKind.TokenEmbeddings), ("sentence_embedding", ModelOutputKind.SentenceEmbedding)])
        {
            if (session.OutputMetadata.ContainsKey(name))
            {
                chosen = (name, kind);
                break;
            }
        }

        if (chosen is null)
        {
            throw new InvalidModelFileException(
                onnxPath,
                $"'{onnxPath}' has none of the outputs token_embeddings, last_hidden_state or sentence_embedding (it has {string.Join(", ", session.OutputNames)}).",
                null);
        }

        NodeMetadata metadata = session.OutputMetadata[chosen.Value.Name];
        int rank = chosen.Value.Kind == ModelOutputKind.TokenEmbeddings ? 3 : 2;
        bool isFloat16 = metadata.ElementDataType == TensorElementType.Float16;
        if ((metadata.ElementDataType != TensorElementType.Float && !isFloat16) || metadata.Dimensions.Length != rank || metadata.Dimensions[^1] <= 0)
        {
            throw new InvalidModelFileException(
                onnxPath,
                $"'{onnxPath}' output '{chosen.Value.Name}' should be a float tensor of rank {rank} with a fixed last dimension; it is {metadata.ElementDataType} [{string.Join(", ", metadata.Dimensions)}].",
                null);
        }

        return new OnnxEncoder(session, [.. inputNames], chosen.Value.Name, chosen.Value.Kind, metadata.Dimensions[^1], isFloat16);
    }
}
