using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SentenceEmbeddings.Tests.Service;

/// <summary>The sample EmbeddingService on a real Kestrel socket on 127.0.0.1 (an ephemeral port), with an HttpClient pointed at it.</summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    private ServiceHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<ServiceHost> StartAsync(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["SentenceEmbeddings:ModelsPath"] = Path.Combine(AppContext.BaseDirectory, "models"),
            ["SentenceEmbeddings:HuggingFaceHubCache"] = Path.Combine(Path.GetTempPath(), "no-hub-" + Guid.NewGuid().ToString("N")),
            ["SentenceEmbeddings:Preload:0"] = "fast",
        };
        foreach ((string key, string? value) in settings)
        {
            values[key] = value;
        }

        WebApplication app = EmbeddingService.EmbeddingServiceApp.Build([], builder => builder.Configuration.AddInMemoryCollection(values));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServiceHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
