using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SentenceEmbeddings;
using SentenceEmbeddings.Tiers;

// A generic host configured from appsettings.json: the tier registry, the default generator and one keyed generator per tier.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Configuration.SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: false);
builder.Services.AddSentenceEmbeddings(builder.Configuration.GetSection(SentenceEmbeddingsOptions.SectionName));

// appsettings.json names "models" (built next to this program from NuGet packages); make it independent of the working folder.
builder.Services.PostConfigure<SentenceEmbeddingsOptions>(o => o.ModelsPath = Path.Combine(AppContext.BaseDirectory, o.ModelsPath ?? "models"));

using IHost host = builder.Build();
await host.StartAsync(); // validates the configuration and preloads the "fast" tier

EmbeddingTierRegistry registry = host.Services.GetRequiredService<EmbeddingTierRegistry>();
Console.WriteLine("Tiers:");
foreach (EmbeddingTier tier in registry.Tiers)
{
    string where;
    try
    {
        where = registry.Locate(tier.Name);
    }
    catch (ModelNotFoundException)
    {
        where = "not on this machine (download it first)";
    }

    string size = tier.ApproximateSizeBytes is long bytes ? $"~{bytes / 1_000_000} MB" : "?";
    Console.WriteLine($"  {tier.Name,-13} {tier.ModelId,-60} {size,8} {tier.Dimensions,4}  {tier.UseCase}");
    Console.WriteLine($"  {string.Empty,-13} -> {where}");
}

Console.WriteLine($"Loaded after start: {string.Join(", ", registry.LoadedModels.Select(m => m.Tier))}");

// Embed with two tiers: the default generator (fast) and the keyed "search" tier, which loads on first use.
var fast = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
var search = host.Services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("search");
string[] texts = ["Senior .NET developer", "C# backend engineer with ASP.NET Core", "Pastry chef"];
foreach ((string name, IEmbeddingGenerator<string, Embedding<float>> generator) in new[] { ("fast", fast), ("search", search) })
{
    GeneratedEmbeddings<Embedding<float>> e = await generator.GenerateAsync(texts);
    float related = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[1].Vector.Span);
    float unrelated = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[2].Vector.Span);
    Console.WriteLine($"{name}: {e[0].ModelId}, {e[0].Dimensions} dims, {e.Usage?.InputTokenCount} tokens; related {related:F4}, unrelated {unrelated:F4}");
}

Console.WriteLine($"Loaded now: {string.Join(", ", registry.LoadedModels.Select(m => $"{m.Tier} ({m.ApproximateMemoryBytes / 1_000_000} MB)"))}");
await host.StopAsync();
