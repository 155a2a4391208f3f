using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace SentenceEmbeddings.Tests.Evaluation;

/// <summary>The long-document retrieval evaluation of docs/long-documents.md: held-out sentences find their document with Truncate, Chunk (pooled) and best-chunk scoring, at four overlaps.</summary>
/// <remarks>Documents are consecutive paragraphs of long.txt (800–1,000 words once the queries are held out); each document's queries are sentences
/// taken from evenly spaced positions and removed from it. Run: <c>dotnet test tests/SentenceEmbeddings.Tests -c Release --filter LongDocumentEvaluation</c>.</remarks>
[Trait("Category", "Long")]
public sealed partial class LongDocumentEvaluationTests(ITestOutputHelper output)
{
    private const int QueriesPerDocument = 8;
    private static readonly string[] Quarters = ["0–25 %", "25–50 %", "50–75 %", "75–100 %"];

    [Fact]
    public async Task MiniLM_HeldOutSentences_ChunkModesBeatTruncation()
    {
        (string[] documents, List<Query> queries) = Build();
        using var truncate = new SentenceEmbeddingGenerator(TestModels.MiniLM);
        float[][] queryVectors = [.. (await truncate.GenerateAsync(queries.Select(q => q.Text))).Select(e => e.Vector.ToArray())];
        GeneratedEmbeddings<Embedding<float>> truncated = await truncate.GenerateAsync(documents);
        long truncateTokens = truncated.Usage!.InputTokenCount!.Value;
        Score truncateScore = Evaluate(queries, queryVectors, d => [truncated[d].Vector.ToArray()]);

        int window = truncate.MaxSequenceLength - 2;
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{documents.Length} documents of {documents.Average(d => d.Split(' ').Length):F0} words on average, {queries.Count} queries; all-MiniLM-L6-v2, window {window + 2} tokens.");
        table.AppendLine();
        table.AppendLine("| scoring | overlap (tokens) | tokens run (× truncate) | MRR | R@1 | " + string.Join(" | ", Quarters.Select(q => $"MRR {q}")) + " |");
        table.AppendLine("| --- | --- | --- | --- | --- | " + string.Join(" | ", Quarters.Select(_ => "---")) + " |");
        Row(table, "truncate", "–", 1, truncateScore);

        Score? defaultPooled = null;
        Score? defaultBest = null;
        foreach ((string name, int overlap) in new[] { ("0", 0), ("1/8", window / 8), ("1/4", window / 4), ("1/2", window / 2) })
        {
            // The default overlap (null) is the 1/8 row.
            using var chunker = new SentenceEmbeddingGenerator(TestModels.MiniLM, new SentenceEmbeddingGeneratorOptions { ChunkOverlapTokens = overlap == window / 8 ? null : overlap });
            IReadOnlyList<ChunkedEmbedding> chunked = await chunker.GenerateChunksAsync(documents);
            double cost = (double)chunked.Sum(c => c.TokenCount) / truncateTokens;
            Assert.All(chunked, c => Assert.False(c.Truncated));
            Score pooled = Evaluate(queries, queryVectors, d => [chunked[d].Vector.ToArray()]);
            Score best = Evaluate(queries, queryVectors, d => [.. chunked[d].Chunks.Select(c => c.Vector.ToArray())]);
            Row(table, "chunk, pooled", $"{name} ({overlap})", cost, pooled);
            Row(table, "best chunk", $"{name} ({overlap})", cost, best);
            if (overlap == window / 8)
            {
                (defaultPooled, defaultBest) = (pooled, best);
            }
        }

        output.WriteLine(table.ToString());
        Assert.True(defaultPooled!.Mrr > truncateScore.Mrr, $"pooled chunks {defaultPooled.Mrr:F3} do not beat truncation {truncateScore.Mrr:F3}");
        Assert.True(defaultBest!.Mrr > truncateScore.Mrr, $"the best chunk {defaultBest.Mrr:F3} does not beat truncation {truncateScore.Mrr:F3}");
    }

    private static void Row(StringBuilder table, string scoring, string overlap, double cost, Score score) =>
        table.AppendLine(CultureInfo.InvariantCulture, $"| {scoring} | {overlap} | {cost:F2} | {score.Mrr:F3} | {score.RecallAt1:F3} | {string.Join(" | ", score.MrrByQuarter.Select(m => m.ToString("F3", CultureInfo.InvariantCulture)))} |");

    // Each query ranks every document by its best vector's cosine; the score is where its own document lands.
    private static Score Evaluate(List<Query> queries, float[][] queryVectors, Func<int, float[][]> documentVectors)
    {
        int documents = queries.Max(q => q.Document) + 1;
        float[][][] vectors = [.. Enumerable.Range(0, documents).Select(documentVectors)];
        double[] reciprocal = new double[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            double[] scores = [.. vectors.Select(v => v.Max(vector => VectorMath.Cosine(queryVectors[q], vector)))];
            int rank = 1 + scores.Count(s => s > scores[queries[q].Document]);
            reciprocal[q] = 1.0 / rank;
        }

        double[] byQuarter = [.. Enumerable.Range(0, 4).Select(b => Enumerable.Range(0, queries.Count).Where(q => queries[q].Quarter == b).Average(q => reciprocal[q]))];
        return new Score(reciprocal.Average(), reciprocal.Count(r => r == 1.0) / (double)queries.Count, byQuarter);
    }

    private static (string[] Documents, List<Query> Queries) Build()
    {
        string[] paragraphs = [.. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt")).Where(l => l.Length > 0)];
        var documents = new List<string>();
        var queries = new List<Query>();
        int next = 0;
        while (next < paragraphs.Length)
        {
            // Consecutive paragraphs up to about 1,000 words, so that the document keeps 800–1,000 once the queries are out.
            var sentences = new List<string>();
            int words = 0;
            while (next < paragraphs.Length && words < 950)
            {
                foreach (string sentence in SentenceEnd().Split(paragraphs[next]))
                {
                    sentences.Add(sentence);
                    words += sentence.Split(' ').Length;
                }

                next++;
            }

            if (words < 900 || sentences.Count < QueriesPerDocument * 2)
            {
                break;
            }

            var heldOut = new HashSet<int>();
            for (int k = 0; k < QueriesPerDocument; k++)
            {
                int index = (int)((k + 0.5) * sentences.Count / QueriesPerDocument);
                heldOut.Add(index);
                queries.Add(new Query(sentences[index], documents.Count, Math.Min(3, 4 * index / sentences.Count)));
            }

            documents.Add(string.Join(' ', sentences.Where((_, i) => !heldOut.Contains(i))));
        }

        return ([.. documents], queries);
    }

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();

    private sealed record Query(string Text, int Document, int Quarter);

    private sealed record Score(double Mrr, double RecallAt1, double[] MrrByQuarter);
}
