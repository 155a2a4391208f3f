using System.Globalization;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace SentenceEmbeddings.Tests.Evaluation;

[Collection(ModelsGroup.Name)]
public sealed class StsBenchmarkTests(GeneratorFixture models, ITestOutputHelper output)
{
    [Fact]
    public async Task MiniLM_StsBenchmarkTest_SpearmanIs82_03()
    {
        // MTEB's published all-MiniLM-L6-v2 STS-B test score is 82.03 (Spearman of cosine similarities × 100).
        string[][] rows = [.. File.ReadLines(Path.Combine(TestModels.Assets, "data", "stsb", "test.tsv")).Skip(1).Select(l => l.Split('\t'))];
        Assert.Equal(1379, rows.Length);

        GeneratedEmbeddings<Embedding<float>> first = await models.MiniLM.GenerateAsync(rows.Select(r => r[1]));
        GeneratedEmbeddings<Embedding<float>> second = await models.MiniLM.GenerateAsync(rows.Select(r => r[2]));
        double[] gold = [.. rows.Select(r => double.Parse(r[0], CultureInfo.InvariantCulture))];
        double[] predicted = [.. Enumerable.Range(0, rows.Length).Select(i => VectorMath.Cosine(first[i].Vector.Span, second[i].Vector.Span))];

        double spearman = VectorMath.Spearman(gold, predicted) * 100;
        output.WriteLine($"STS-B test, all-MiniLM-L6-v2: Spearman x 100 = {spearman:F3}");

        Assert.InRange(spearman, 82.01, 82.05);
    }
}
