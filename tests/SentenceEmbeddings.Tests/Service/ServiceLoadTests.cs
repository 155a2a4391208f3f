using System.Diagnostics;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace SentenceEmbeddings.Tests.Service;

/// <summary>A bounded load test on 127.0.0.1: 64 concurrent clients sending single texts for 20 seconds.</summary>
/// <remarks>Long (left out of the default run): <c>dotnet test tests/SentenceEmbeddings.Tests -c Release --filter "Category=Long&amp;FullyQualifiedName~ServiceLoadTests" --logger "console;verbosity=detailed"</c>.</remarks>
public sealed class ServiceLoadTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public async Task SixtyFourClients_SingleTexts_NoErrors()
    {
        const int Clients = 64;
        TimeSpan duration = TimeSpan.FromSeconds(20);
        string[] texts = File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "short.txt"));
        await using ServiceHost service = await ServiceHost.StartAsync(("Service:MaxConcurrentRequests", "1024"));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients }) { BaseAddress = service.Address };
        await client.PostAsJsonAsync("api/v1/models/embedding", new { text = "warm up" });
        long workingSetBefore = Process.GetCurrentProcess().WorkingSet64;

        var latencies = new List<double>[Clients];
        int errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            latencies[c] = [];
            for (int i = c; clock.Elapsed < duration; i += Clients)
            {
                long start = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await client.PostAsJsonAsync("api/v1/models/embedding", new { text = texts[i % texts.Length] });
                latencies[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        double seconds = clock.Elapsed.TotalSeconds;
        long workingSetAfter = Process.GetCurrentProcess().WorkingSet64;

        double[] all = [.. latencies.SelectMany(l => l).Order()];
        output.WriteLine($"requests: {all.Length} in {seconds:F1} s = {all.Length / seconds:F0} req/s; p50 {all[all.Length / 2]:F1} ms, p99 {all[(int)(all.Length * 0.99)]:F1} ms; errors {errors}");
        output.WriteLine($"working set (test process, service in-process): before {workingSetBefore / 1e6:F0} MB, after {workingSetAfter / 1e6:F0} MB");
        Assert.Equal(0, errors);
        Assert.True(all.Length > Clients);
    }
}
