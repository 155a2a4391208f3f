namespace SentenceEmbeddings.Tiers;

/// <summary>Where a tier's model is: its folder and the ONNX file in it that runs.</summary>
/// <param name="Folder">The model folder.</param>
/// <param name="OnnxFile">The ONNX file relative to the folder, with <c>/</c> separators.</param>
internal readonly record struct ModelLocation(string Folder, string OnnxFile);
