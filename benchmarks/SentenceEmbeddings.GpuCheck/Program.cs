using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SentenceEmbeddings;

// CUDA against the CPU on this machine, same native library (the GPU build of ONNX Runtime), all-MiniLM-L6-v2 fp32:
//   1. parity: the reference sentences on CUDA (no fallback allowed) and on the CPU, lowest cosine must be >= 0.9999;
//   2. sentences/s: the short and long corpora in one GenerateAsync call each, one warm-up then --repeat timed calls.
// Exit code 0 when CUDA ran and parity held, 1 otherwise.
// Usage: SentenceEmbeddings.GpuCheck [--repeat N] [--cpu-repeat N] [--allow-fallback (runs without a GPU, to try the program)]
int repeat = Option("--repeat", 5);
bool allowFallback = args.Contains("--allow-fallback");
int cpuRepeat = Option("--cpu-repeat", 2);
string baseDirectory = AppContext.BaseDirectory;
string model = Path.Combine(baseDirectory, "models", "all-MiniLM-L6-v2");

Console.WriteLine($"model: {model}");
using var gpu = new SentenceEmbeddingGenerator(model, new SentenceEmbeddingGeneratorOptions().UseCuda(0, cuda => cuda.FallbackToCpu = allowFallback));
using var cpu = new SentenceEmbeddingGenerator(model);
Console.WriteLine($"providers: gpu generator = {gpu.ExecutionProvider}, cpu generator = {cpu.ExecutionProvider}, cores = {Environment.ProcessorCount}");
if (gpu.ExecutionProviderFallbackReason is string reason)
{
    Console.WriteLine($"CUDA fell back to the CPU: {reason}");
}

using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(baseDirectory, "reference", "minilm-l6-v2.golden.json")));
string[] referenceTexts = [.. reference.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()!)];
GeneratedEmbeddings<Embedding<float>> onGpu = await gpu.GenerateAsync(referenceTexts);
GeneratedEmbeddings<Embedding<float>> onCpu = await cpu.GenerateAsync(referenceTexts);
double lowest = Enumerable.Range(0, referenceTexts.Length).Min(i => (double)TensorPrimitives.CosineSimilarity(onGpu[i].Vector.Span, onCpu[i].Vector.Span));
bool parity = lowest >= 0.9999;
Console.WriteLine($"parity: {referenceTexts.Length} reference sentences, lowest cosine CUDA vs CPU = {lowest:F6} ({(parity ? "ok" : "FAILED")}, must be >= 0.9999)");

Console.WriteLine();
Console.WriteLine("| corpus | texts | CUDA sentences/s | CPU sentences/s | CUDA / CPU |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
foreach (string corpus in (string[])["short", "long"])
{
    string[] texts = File.ReadAllLines(Path.Combine(baseDirectory, "corpus", corpus + ".txt"));
    double gpuRate = await Throughput(gpu, texts, repeat);
    double cpuRate = await Throughput(cpu, texts, cpuRepeat);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {corpus} | {texts.Length} | {gpuRate:F0} | {cpuRate:F0} | {gpuRate / cpuRate:F1} × |"));
}

return gpu.ExecutionProvider == ExecutionProvider.Cuda && parity ? 0 : 1;

// Sentences per second of the median timed call, after one warm-up call (which sizes ONNX Runtime's buffers and arena).
static async Task<double> Throughput(SentenceEmbeddingGenerator generator, string[] texts, int calls)
{
    await generator.GenerateAsync(texts);
    var seconds = new List<double>();
    for (int i = 0; i < calls; i++)
    {
        long started = Stopwatch.GetTimestamp();
        await generator.GenerateAsync(texts);
        seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    seconds.Sort();
    return texts.Length / seconds[seconds.Count / 2];
}

int Option(string name, int fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
