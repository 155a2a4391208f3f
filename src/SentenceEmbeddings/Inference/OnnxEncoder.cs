using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceEmbeddings.Diagnostics;

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

    /// <summary>Gets the execution provider that runs the model: the one asked for, or the CPU after a fallback.</summary>
    public ExecutionProvider ExecutionProvider { get; private set; } = ExecutionProvider.Cpu;

    /// <summary>Gets why the provider asked for could not start, when the model fell back to the CPU; otherwise <see langword="null"/>.</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>Gets or sets a value indicating whether runs go through an I/O binding, as on a GPU; it works on the CPU too, which is how it is tested without one.</summary>
    internal bool UsesIoBinding { get; set; }

    /// <summary>Loads an ONNX model and checks that its inputs and outputs are those of a sentence encoder.</summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="intraOpNumThreads">The number of threads ONNX Runtime uses inside one run; 0 lets it choose.</param>
    /// <param name="spinning">When ONNX Runtime's threads busy-wait for work.</param>
    /// <returns>The encoder.</returns>
    /// <exception cref="InvalidModelFileException">The file is not an ONNX model, or not one with the inputs and outputs of a sentence encoder.</exception>
    public static OnnxEncoder Load(string onnxPath, int intraOpNumThreads, ThreadSpinning spinning)
    {
        using SessionOptions options = CreateSessionOptions(intraOpNumThreads, spinning);
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

    /// <summary>Loads an ONNX model on the execution provider asked for, falling back to the CPU as <see cref="CudaOptions.FallbackToCpu"/> allows.</summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="intraOpNumThreads">The number of threads ONNX Runtime uses inside one run; 0 lets it choose.</param>
    /// <param name="spinning">When ONNX Runtime's threads busy-wait for work.</param>
    /// <param name="executionProvider">The execution provider asked for.</param>
    /// <param name="cuda">The CUDA options, read when <paramref name="executionProvider"/> is <see cref="ExecutionProvider.Cuda"/>.</param>
    /// <param name="logger">Receives one warning on a fallback, naming what is missing.</param>
    /// <param name="modelId">The model's id, for the log.</param>
    /// <returns>The encoder; <see cref="ExecutionProvider"/> says where it runs.</returns>
    /// <exception cref="InvalidModelFileException">The file is not an ONNX model, or not one with the inputs and outputs of a sentence encoder.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA cannot start and <see cref="CudaOptions.FallbackToCpu"/> is <see langword="false"/>.</exception>
    public static OnnxEncoder Load(string onnxPath, int intraOpNumThreads, ThreadSpinning spinning, ExecutionProvider executionProvider, CudaOptions cuda, ILogger logger, string modelId)
    {
        if (executionProvider != ExecutionProvider.Cuda)
        {
            return Load(onnxPath, intraOpNumThreads, spinning);
        }

        (OnnxEncoder? encoder, string? reason, Exception? cause) = TryLoadOnCuda(onnxPath, intraOpNumThreads, spinning, cuda);
        if (encoder is not null)
        {
            Log.RunningOnCuda(logger, modelId, cuda.DeviceId);
            return encoder;
        }

        // A model that cannot load on the CPU either is a bad file, whatever CUDA said: that is the error to report.
        OnnxEncoder cpu = Load(onnxPath, intraOpNumThreads, spinning);
        if (!cuda.FallbackToCpu)
        {
            cpu.Dispose();
            throw new ExecutionProviderUnavailableException(ExecutionProvider.Cuda, reason!, cause);
        }

        Log.CudaFallback(logger, cause, modelId, reason!);
        cpu.FallbackReason = reason;
        return cpu;
    }

    /// <summary>Runs one padded batch and writes the chosen output into <paramref name="output"/>.</summary>
    /// <param name="inputIds">The token ids, <c>[batchSize, sequenceLength]</c>, padded.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, same shape.</param>
    /// <param name="tokenTypeIds">Zeros, same shape (only passed when the model takes them).</param>
    /// <param name="batchSize">The number of sequences.</param>
    /// <param name="sequenceLength">The padded length.</param>
    /// <param name="runOptions">The run options; setting their <c>Terminate</c> flag stops the run between operators (the backend does when a batch is abandoned).</param>
    /// <param name="output">Receives the output, <c>[batchSize, sequenceLength, HiddenSize]</c> or <c>[batchSize, HiddenSize]</c>, exactly that long.</param>
    public void Run(Memory<long> inputIds, Memory<long> attentionMask, Memory<long> tokenTypeIds, int batchSize, int sequenceLength, RunOptions runOptions, Memory<float> output)
    {
        if (UsesIoBinding)
        {
            RunWithIoBinding(inputIds, attentionMask, tokenTypeIds, batchSize, sequenceLength, runOptions, output);
            return;
        }

        OrtValue[] inputs = CreateInputs(inputIds, attentionMask, tokenTypeIds, batchSize, sequenceLength);
        try
        {
            if (_outputIsFloat16)
            {
                using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(runOptions, _inputNames, inputs, _outputNames);
                WidenFloat16(results[0].GetTensorDataAsSpan<Float16>(), output.Span);
                return;
            }

            // ONNX Runtime writes straight into our buffer: no output tensor is allocated per run.
            long[] outputShape = OutputKind == ModelOutputKind.TokenEmbeddings ? [batchSize, sequenceLength, HiddenSize] : [batchSize, HiddenSize];
            using OrtValue result = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, outputShape);
            _session.Run(runOptions, _inputNames, inputs, _outputNames, [result]);
        }
        finally
        {
            DisposeAll(inputs);
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

    private static SessionOptions CreateSessionOptions(int intraOpNumThreads, ThreadSpinning spinning)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpNumThreads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        string allow = spinning == ThreadSpinning.Never ? "0" : "1";
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", allow);
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", allow);
        if (spinning == ThreadSpinning.DuringRuns)
        {
            // Spinning stops when the last concurrent Run returns and starts again with the next.
            options.AddSessionConfigEntry("session.force_spinning_stop", "1");
        }
        return options;
    }

    /// <summary>Loads the model on CUDA and runs it once; returns the reason instead when CUDA cannot start.</summary>
    private static (OnnxEncoder? Encoder, string? Reason, Exception? Cause) TryLoadOnCuda(string onnxPath, int intraOpNumThreads, ThreadSpinning spinning, CudaOptions cuda)
    {
        if (!ExecutionProviderSetup.NativeLibraryHasCuda())
        {
            return (null, ExecutionProviderSetup.CpuBuildReason(), null);
        }

        InferenceSession session;
        try
        {
            using SessionOptions options = CreateSessionOptions(intraOpNumThreads, spinning);
            ExecutionProviderSetup.AppendCuda(options, cuda);
            session = new InferenceSession(onnxPath, options);
        }
        catch (Exception exception) when (ExecutionProviderSetup.IsProviderFailure(exception))
        {
            return (null, ExecutionProviderSetup.Diagnose(exception, cuda), exception);
        }

        OnnxEncoder encoder;
        try
        {
            encoder = Create(session, onnxPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        encoder.ExecutionProvider = ExecutionProvider.Cuda;
        encoder.UsesIoBinding = true;
        try
        {
            // cuDNN and cuBLAS are loaded, and device memory taken, on the first run: fail here rather than on a caller's batch.
            encoder.Probe();
            return (encoder, null, null);
        }
        catch (Exception exception) when (ExecutionProviderSetup.IsProviderFailure(exception))
        {
            encoder.Dispose();
            return (null, ExecutionProviderSetup.Diagnose(exception, cuda), exception);
        }
    }

    /// <summary>Wraps the input buffers, in the session's input order, as tensors over our memory (pinned until disposed).</summary>
    private OrtValue[] CreateInputs(Memory<long> inputIds, Memory<long> attentionMask, Memory<long> tokenTypeIds, int batchSize, int sequenceLength)
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

            return inputs;
        }
        catch
        {
            DisposeAll(inputs);

            throw;
        }
    }

    private static void DisposeAll(OrtValue?[] values)
    {
        foreach (OrtValue? value in values)
        {
            value?.Dispose();
        }
    }

    /// <summary>Widens an fp16 output to float: ONNX Runtime's Float16 and System.Half are the same 16 bits, and TensorPrimitives converts them in vector steps.</summary>
    private static void WidenFloat16(ReadOnlySpan<Float16> values, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(values), destination);

    /// <summary>Runs a batch of one two-token text.</summary>
    private void Probe()
    {
        const int Length = 2;
        long[] ids = new long[Length];
        long[] mask = [1, 1];
        long[] types = new long[Length];
        float[] output = new float[(OutputKind == ModelOutputKind.TokenEmbeddings ? Length : 1) * HiddenSize];
        using var runOptions = new RunOptions();
        Run(ids, mask, types, 1, Length, runOptions, output);
    }

    /// <summary>
    /// Runs one batch through an I/O binding: inputs bound from our pinned host buffers (ONNX Runtime copies them to the
    /// device once), the output bound to host memory that ONNX Runtime copies the device result into, so no tensor is
    /// allocated per run on either side. Pooling reads token vectors on the host, so the output has to come back.
    /// </summary>
    private void RunWithIoBinding(Memory<long> inputIds, Memory<long> attentionMask, Memory<long> tokenTypeIds, int batchSize, int sequenceLength, RunOptions runOptions, Memory<float> output)
    {
        long[] outputShape = OutputKind == ModelOutputKind.TokenEmbeddings ? [batchSize, sequenceLength, HiddenSize] : [batchSize, HiddenSize];
        OrtValue[] inputs = CreateInputs(inputIds, attentionMask, tokenTypeIds, batchSize, sequenceLength);
        Float16[]? halves = _outputIsFloat16 ? ArrayPool<Float16>.Shared.Rent(output.Length) : null;
        OrtValue? result = null;
        try
        {
            using OrtIoBinding binding = _session.CreateIoBinding();
            for (int i = 0; i < _inputNames.Length; i++)
            {
                binding.BindInput(_inputNames[i], inputs[i]);
            }

            result = halves is null
                ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, outputShape)
                : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, halves.AsMemory(0, output.Length), outputShape);
            binding.BindOutput(_outputNames[0], result);
            binding.SynchronizeBoundInputs();
            _session.RunWithBinding(runOptions, binding);
            binding.SynchronizeBoundOutputs();

            if (halves is not null)
            {
                WidenFloat16(halves.AsSpan(0, output.Length), output.Span);
            }
        }
        finally
        {
            result?.Dispose();
            DisposeAll(inputs);

            if (halves is not null)
            {
                ArrayPool<Float16>.Shared.Return(halves);
            }
        }
    }

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
