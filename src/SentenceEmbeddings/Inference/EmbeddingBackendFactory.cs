using Microsoft.Extensions.Logging;
using SentenceEmbeddings.ModelFolders;

namespace SentenceEmbeddings.Inference;

/// <summary>Creates the backend that runs a generator's model: ONNX Runtime, or a fake in tests.</summary>
/// <param name="folder">The model folder (pooling and normalisation).</param>
/// <param name="onnxPath">The ONNX file chosen.</param>
/// <param name="tokenizer">The tokenizer (its padding id and vocabulary size).</param>
/// <param name="options">The generator's options (threads, spinning, execution provider).</param>
/// <param name="modelId">The model id, for logs and metrics.</param>
/// <param name="logger">Receives the execution provider's events.</param>
/// <returns>The backend.</returns>
internal delegate IEmbeddingBackend EmbeddingBackendFactory(
    ModelFolder folder, string onnxPath, SentenceTokenizer tokenizer, SentenceEmbeddingGeneratorOptions options, string modelId, ILogger logger);
