using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace SentenceEmbeddings.Tests.Service;

[Collection(ModelsGroup.Name)]
public sealed class EmbeddingServiceTests(GeneratorFixture models)
{
    [Fact]
    public async Task SeedEndpoints_AnswerWithTheSeedsShapes()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();

        JsonElement list = await GetJson(service, "api/v1/models/list", HttpStatusCode.OK);
        Assert.Equal("success", list.GetProperty("status").GetString());
        Assert.Equal(["fast", "balanced", "accurate", "multilingual"], list.GetProperty("available_models").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["fast"], list.GetProperty("loaded_models").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, list.GetProperty("count").GetInt32());

        JsonElement info = await GetJson(service, "api/v1/models/info?type=accurate", HttpStatusCode.OK);
        Assert.Equal("accurate", info.GetProperty("model_type").GetString());
        Assert.Equal("sentence-transformers/all-mpnet-base-v2", info.GetProperty("info").GetProperty("name").GetString());
        Assert.Equal(768, info.GetProperty("info").GetProperty("dimension").GetInt32());
        Assert.Equal("high-accuracy matching", info.GetProperty("info").GetProperty("use_case").GetString());
        Assert.Equal("~438MB", info.GetProperty("info").GetProperty("size").GetString());

        JsonElement load = await PostJson(service, "api/v1/models/load", new { model_type = "fast" }, HttpStatusCode.OK);
        Assert.Equal("success", load.GetProperty("status").GetString());
        Assert.Equal("fast", load.GetProperty("model_type").GetString());
        JsonElement loadedInfo = await GetJson(service, "api/v1/models/info?type=fast", HttpStatusCode.OK);
        Assert.Equal("Cpu", loadedInfo.GetProperty("info").GetProperty("execution_provider").GetString());

        JsonElement one = await PostJson(service, "api/v1/models/embedding", new { text = "Python开发工程师", model_type = "fast" }, HttpStatusCode.OK);
        Assert.Equal(384, one.GetProperty("dimension").GetInt32());
        float[] vector = [.. one.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
        ReadOnlyMemory<float> expected = await models.MiniLM.GenerateVectorAsync("Python开发工程师");
        Assert.True(VectorMath.Cosine(vector, expected.Span) >= 0.99999);

        JsonElement batch = await PostJson(service, "api/v1/models/batch_embedding", new { texts = new[] { "a", "b", "c" }, model_type = "fast" }, HttpStatusCode.OK);
        Assert.Equal(3, batch.GetProperty("count").GetInt32());
        Assert.Equal(3, batch.GetProperty("embeddings").GetArrayLength());
        Assert.Equal(384, batch.GetProperty("dimension").GetInt32());
    }

    [Theory]
    [InlineData("api/v1/models/embedding", """{"text": "x", "model_type": "turbo"}""", "application/json", 400, "Unknown model type 'turbo'")]
    [InlineData("api/v1/models/batch_embedding", """{"texts": ["x"], "model_type": "turbo"}""", "application/json", 400, "Unknown model type")]
    [InlineData("api/v1/models/load", """{"model_type": "turbo"}""", "application/json", 400, "Unknown model type")]
    [InlineData("api/v1/models/load", """{"model_type": "accurate"}""", "application/json", 404, "sentence-embeddings download")]
    [InlineData("api/v1/models/embedding", """{"text": "", "model_type": "fast"}""", "application/json", 400, "\"text\" is missing or empty")]
    [InlineData("api/v1/models/batch_embedding", """{"texts": [], "model_type": "fast"}""", "application/json", 400, "non-empty array")]
    [InlineData("api/v1/models/embedding", """{"text": "unterminated""", "application/json", 400, "not valid JSON")]
    [InlineData("api/v1/models/embedding", "text=hello", "application/x-www-form-urlencoded", 415, "must be JSON")]
    [InlineData("api/v1/models/embedding", """{"text": "x", "long_text": "paragraphs"}""", "application/json", 400, "\"long_text\" 'paragraphs' is unknown; use 'truncate', 'chunk' or 'error'")]
    [InlineData("api/v1/models/batch_embedding", """{"texts": ["x"], "long_text": "truncate", "return_chunks": true}""", "application/json", 400, "\"return_chunks\" needs \"long_text\": \"chunk\"")]
    public async Task SeedEndpoints_BadRequests_AnswerWithStatusErrorAndAMessage(string path, string body, string contentType, int status, string message)
    {
        await using ServiceHost service = await ServiceHost.StartAsync();

        using HttpResponseMessage response = await service.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(status, (int)response.StatusCode);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", json.GetProperty("status").GetString());
        Assert.Contains(message, json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_UnknownType_Is400()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();

        JsonElement json = await GetJson(service, "api/v1/models/info?type=turbo", HttpStatusCode.BadRequest);

        Assert.Equal("error", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Limits_TooManyTextsAndTooLargeBody_Are413WithJson()
    {
        await using ServiceHost service = await ServiceHost.StartAsync(("Service:MaxTextsPerRequest", "4"), ("Service:MaxRequestBodyBytes", "65536"));

        JsonElement tooMany = await PostJson(service, "api/v1/models/batch_embedding", new { texts = new[] { "a", "b", "c", "d", "e" } }, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most 4", tooMany.GetProperty("message").GetString(), StringComparison.Ordinal);

        JsonElement tooLarge = await PostJson(service, "api/v1/models/embedding", new { text = new string('x', 100_000) }, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("error", tooLarge.GetProperty("status").GetString());

        JsonElement openAi = await PostJson(service, "v1/embeddings", new { input = new[] { "a", "b", "c", "d", "e" }, model = "fast" }, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("too_many_inputs", openAi.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Limits_TooManyConcurrentRequests_Are429WithJson()
    {
        await using ServiceHost service = await ServiceHost.StartAsync(("Service:MaxConcurrentRequests", "1"));
        string[] passages = [.. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt")).Take(16)];

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            service.Client.PostAsJsonAsync("api/v1/models/batch_embedding", new { texts = passages })));

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        HttpResponseMessage rejected = Assert.IsType<HttpResponseMessage>(responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests), exactMatch: false);
        JsonElement json = await rejected.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", json.GetProperty("status").GetString());
        Array.ForEach(responses, r => r.Dispose());
    }

    [Fact]
    public async Task OpenAIEndpoint_AnswersInOpenAIShape()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();

        JsonElement single = await PostJson(service, "v1/embeddings", new { input = "hello world", model = "fast" }, HttpStatusCode.OK);
        Assert.Equal("list", single.GetProperty("object").GetString());
        Assert.Equal("fast", single.GetProperty("model").GetString());
        Assert.Equal(4, single.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, single.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        JsonElement data = single.GetProperty("data")[0];
        Assert.Equal("embedding", data.GetProperty("object").GetString());
        Assert.Equal(0, data.GetProperty("index").GetInt32());
        float[] floats = [.. data.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];

        JsonElement encoded = await PostJson(service, "v1/embeddings", new { input = new[] { "x", "hello world" }, model = "sentence-transformers/all-MiniLM-L6-v2", encoding_format = "base64" }, HttpStatusCode.OK);
        byte[] bytes = Convert.FromBase64String(encoded.GetProperty("data")[1].GetProperty("embedding").GetString()!);
        Assert.Equal(floats, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());

        JsonElement modelsList = await GetJson(service, "v1/models", HttpStatusCode.OK);
        Assert.Contains(modelsList.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "fast");
    }

    [Theory]
    [InlineData("""{"input": "x", "model": "gpt-4"}""", 404, "model_not_found")]
    [InlineData("""{"input": "x", "model": "fast", "dimensions": 128}""", 400, "invalid_dimensions")]
    [InlineData("""{"input": "x", "model": "fast", "dimensions": 384}""", 200, null)]
    [InlineData("""{"input": [], "model": "fast"}""", 400, "invalid_input")]
    [InlineData("""{"input": [[1, 2, 3]], "model": "fast"}""", 400, "invalid_input")]
    [InlineData("""{"input": "x", "model": "fast", "encoding_format": "int8"}""", 400, "invalid_encoding_format")]
    [InlineData("""{"input": "x" """, 400, null)]
    [InlineData("""{"input": "x", "model": "fast", "long_text": "pages"}""", 400, "invalid_long_text")]
    [InlineData("""{"input": "x", "model": "fast", "long_text": "chunk"}""", 200, null)]
    public async Task OpenAIEndpoint_Errors_AreInOpenAIShape(string body, int status, string? code)
    {
        await using ServiceHost service = await ServiceHost.StartAsync();

        using HttpResponseMessage response = await service.Client.PostAsync("v1/embeddings", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        if (status != 200)
        {
            JsonElement error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            if (code is not null)
            {
                Assert.Equal(code, error.GetProperty("code").GetString());
            }
        }
    }

    [Fact]
    public async Task OfficialOpenAIClient_GetsTheInProcessVectors()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();
        var client = new OpenAIClient(new ApiKeyCredential("not-needed"), new OpenAIClientOptions { Endpoint = new Uri(service.Address, "v1") });
        using IEmbeddingGenerator<string, Embedding<float>> remote = client.GetEmbeddingClient("fast").AsIEmbeddingGenerator();
        string[] texts = ["Senior .NET developer", "Python开发工程师", "The weather is lovely today."];

        GeneratedEmbeddings<Embedding<float>> fromService = await remote.GenerateAsync(texts);
        GeneratedEmbeddings<Embedding<float>> inProcess = await models.MiniLM.GenerateAsync(texts);

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.True(VectorMath.Cosine(fromService[i].Vector.Span, inProcess[i].Vector.Span) >= 0.99999, texts[i]);
        }

        Assert.Equal(inProcess.Usage!.InputTokenCount, fromService.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Health_LiveAndReadyAfterPreload_AndMetricsAreExposed()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("health/ready")).StatusCode);
        await PostJson(service, "api/v1/models/embedding", new { text = "count me" }, HttpStatusCode.OK);
        string metrics = await service.Client.GetStringAsync("metrics");
        Assert.Contains("sentence_embeddings_tokens", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueFull_FromAppsettingsFailMode_Is429WithJson()
    {
        // appsettings.json sets QueueFullMode Fail; the test only shrinks the queue so that one large call fills it.
        await using ServiceHost service = await ServiceHost.StartAsync(("SentenceEmbeddings:MaxQueuedTexts", "1"));
        var registry = service.App.Services.GetRequiredService<EmbeddingTierRegistry>();
        using SentenceEmbeddings.Tiers.ModelLease lease = await registry.AcquireAsync(registry.GetTier("fast"), CancellationToken.None);
        Assert.Equal(QueueFullMode.Fail, lease.Model.Generator.Options.QueueFullMode);
        // Long enough that its texts are still queued when the next calls arrive, even on a loaded machine where the
        // requests wait behind ONNX Runtime's busy threads (40 passages were not, once: the queue had drained).
        string[] passages = [.. File.ReadAllLines(Path.Combine(TestModels.Assets, "data", "corpus", "long.txt")).Take(160)];

        Task<HttpResponseMessage> large = service.Client.PostAsJsonAsync("api/v1/models/batch_embedding", new { texts = passages });
        while (lease.Model.Generator.QueuedTexts == 0)
        {
            Assert.False(large.IsCompleted, "the large call finished before its texts were seen queued");
            await Task.Delay(5);
        }

        using HttpResponseMessage seed = await service.Client.PostAsJsonAsync("api/v1/models/embedding", new { text = "one more" });
        using HttpResponseMessage openAI = await service.Client.PostAsJsonAsync("v1/embeddings", new { input = "one more" });
        using HttpResponseMessage done = await large;

        Assert.Equal(HttpStatusCode.TooManyRequests, seed.StatusCode);
        JsonElement seedJson = await seed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", seedJson.GetProperty("status").GetString());
        Assert.Contains("MaxQueuedTexts", seedJson.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, openAI.StatusCode);
        Assert.Equal("queue_full", (await openAI.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    [Fact]
    public async Task LoneSurrogateEscapes_AreReadAsReplacementCharacters_AsInTheCli()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();
        ReadOnlyMemory<float> expected = await models.MiniLM.GenerateVectorAsync("job \uFFFD offer");

        // As Python's json.dumps writes a text cut inside an emoji: a high surrogate without its low half, and a lone low one.
        using HttpResponseMessage seed = await service.Client.PostAsync("api/v1/models/embedding", new StringContent("""{"text": "job \ud83d offer"}""", Encoding.UTF8, "application/json"));
        using HttpResponseMessage openAI = await service.Client.PostAsync("v1/embeddings", new StringContent("""{"input": ["job \ude00 offer", "pair \ud83d\ude00 kept"]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, seed.StatusCode);
        float[] vector = [.. (await seed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
        Assert.True(VectorMath.Cosine(vector, expected.Span) >= 0.99999);
        Assert.Equal(HttpStatusCode.OK, openAI.StatusCode);
        JsonElement data = (await openAI.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        float[] lowAlone = [.. data[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
        float[] paired = [.. data[1].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())];
        Assert.True(VectorMath.Cosine(lowAlone, expected.Span) >= 0.99999);
        ReadOnlyMemory<float> pairedExpected = await models.MiniLM.GenerateVectorAsync("pair \U0001F600 kept");
        Assert.True(VectorMath.Cosine(paired, pairedExpected.Span) >= 0.99999);
    }

    [Fact]
    public async Task UnknownPathOrMethod_AnswersWithTheJsonErrorShape_OpenAIsUnderV1()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();
        (string Method, string Path, int Status)[] cases =
        [
            ("GET", "api/v1/no/such/endpoint", 404), ("GET", "api/v1/models/embedding", 405), ("DELETE", "api/v1/models/list", 405),
            ("GET", "v1/models/nope", 404), ("GET", "v1/embeddings", 405),
        ];

        foreach ((string method, string path, int status) in cases)
        {
            using HttpResponseMessage response = await service.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (path.StartsWith("v1/", StringComparison.Ordinal))
            {
                json = json.GetProperty("error");
                Assert.Equal("invalid_request_error", json.GetProperty("type").GetString());
            }
            else
            {
                Assert.Equal("error", json.GetProperty("status").GetString());
            }

            Assert.Contains(path, json.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task<JsonElement> GetJson(ServiceHost service, string path, HttpStatusCode expected)
    {
        using HttpResponseMessage response = await service.Client.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task LongText_ChunkAndReturnChunks_OnTheSeedAndOpenAIEndpoints()
    {
        await using ServiceHost service = await ServiceHost.StartAsync();
        string document = SentenceEmbeddings.Tests.Chunking.LongDocuments.English(1).First();
        ChunkedEmbedding expected = (await models.MiniLM.GenerateChunksAsync([document]))[0];

        JsonElement one = await PostJson(service, "api/v1/models/embedding", new { text = document, long_text = "chunk", return_chunks = true }, HttpStatusCode.OK);
        JsonElement batch = await PostJson(service, "api/v1/models/batch_embedding", new { texts = new[] { document, "short" }, long_text = "chunk", return_chunks = true }, HttpStatusCode.OK);
        JsonElement plain = await PostJson(service, "api/v1/models/embedding", new { text = document }, HttpStatusCode.OK);
        JsonElement openAI = await PostJson(service, "v1/embeddings", new { input = document, model = "fast", long_text = "chunk" }, HttpStatusCode.OK);
        using HttpResponseMessage tooLong = await service.Client.PostAsJsonAsync("api/v1/models/embedding", new { text = document, long_text = "error" });

        Assert.True(VectorMath.Cosine([.. one.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())], expected.Vector.Span) >= 0.99999);
        JsonElement[] chunks = [.. one.GetProperty("chunks").EnumerateArray()];
        Assert.Equal(expected.Chunks.Select(c => (c.Start, c.End, c.TokenCount)), chunks.Select(c => (c.GetProperty("start").GetInt32(), c.GetProperty("end").GetInt32(), c.GetProperty("token_count").GetInt32())));
        Assert.Equal(384, chunks[0].GetProperty("embedding").GetArrayLength());
        Assert.Equal([expected.Chunks.Count, 1], batch.GetProperty("chunks").EnumerateArray().Select(c => c.GetArrayLength()));
        Assert.False(plain.TryGetProperty("chunks", out _));
        Assert.True(VectorMath.Cosine([.. openAI.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle())], expected.Vector.Span) >= 0.99999);
        Assert.Equal(expected.TokenCount, openAI.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("has", (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> PostJson(ServiceHost service, string path, object body, HttpStatusCode expected)
    {
        using HttpResponseMessage response = await service.Client.PostAsJsonAsync(path, body);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
