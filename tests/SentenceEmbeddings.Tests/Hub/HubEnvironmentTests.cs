using SentenceEmbeddings.Hub;

namespace SentenceEmbeddings.Tests.Hub;

public sealed class HubEnvironmentTests
{
    [Fact]
    public void Read_Nothing_GivesHuggingFaceHubDefaults()
    {
        HubEnvironment environment = HubEnvironment.Read(_ => null);

        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub"), environment.CacheDirectory);
        Assert.Equal(new Uri("https://huggingface.co"), environment.Endpoint);
        Assert.Null(environment.Token);
        Assert.False(environment.Offline);
    }

    [Theory]
    [InlineData("/data/hub-cache", "/data/hf-home", "/data/xdg", "/data/hub-cache")]
    [InlineData(null, "/data/hf-home", "/data/xdg", "/data/hf-home/hub")]
    [InlineData("", "/data/hf-home", null, "/data/hf-home/hub")]
    [InlineData(null, null, "/data/xdg", "/data/xdg/huggingface/hub")]
    public void Read_CacheVariables_FollowHfHubCacheThenHfHomeThenXdg(string? hubCache, string? home, string? xdg, string expected)
    {
        var variables = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = hubCache, ["HF_HOME"] = home, ["XDG_CACHE_HOME"] = xdg };

        Assert.Equal(expected, HubEnvironment.Read(name => variables.GetValueOrDefault(name)).CacheDirectory);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("0", false)]
    [InlineData("", false)]
    public void Read_HfHubOffline_IsOnForOneTrueYes(string value, bool offline)
    {
        Assert.Equal(offline, HubEnvironment.Read(name => name == "HF_HUB_OFFLINE" ? value : null).Offline);
    }

    [Fact]
    public void Read_EndpointAndToken_ReachTheDownloadOptions()
    {
        var variables = new Dictionary<string, string?> { ["HF_ENDPOINT"] = "http://mirror.example:8080/", ["HF_TOKEN"] = "hf_abc", ["HF_HUB_CACHE"] = "/c" };

        HubDownloadOptions options = HubDownloadOptions.From(HubEnvironment.Read(name => variables.GetValueOrDefault(name)));

        Assert.Equal(new Uri("http://mirror.example:8080/"), options.Endpoint);
        Assert.Equal("hf_abc", options.Token);
        Assert.Equal("/c", options.CacheDirectory);
        Assert.False(options.Offline);
    }
}
