using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SentenceEmbeddings.Tests.Hub;

/// <summary>A HuggingFace hub on 127.0.0.1 that serves one model folder through the hub's HTTP API, with hooks to inject faults.</summary>
internal sealed class FakeHub : IDisposable
{
    public const string Commit = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, string> _etags = new(StringComparer.Ordinal);
    private readonly string _folder;
    private readonly Task _loop;

    public FakeHub(string repoId, string folder)
    {
        RepoId = repoId;
        _folder = folder;
        int port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string RepoId { get; }

    public Uri Endpoint { get; }

    /// <summary>Gets the requests seen, as "METHOD path [range]".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Gets the Authorization headers seen.</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    /// <summary>Gets or sets a hook that may answer a request itself (a fault) and return true.</summary>
    public Func<HttpListenerContext, string, bool>? Intercept { get; set; }

    /// <summary>Gets or sets ETags to serve instead of the true ones, by file.</summary>
    public Dictionary<string, string> WrongEtags { get; } = [];

    public IEnumerable<string> Files => Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_folder, f).Replace('\\', '/'));

    /// <summary>The int8 variants sentence-transformers publish, as a hub repository lists them.</summary>
    public static readonly string[] PublishedInt8Files =
    [
        "onnx/model_qint8_arm64.onnx", "onnx/model_qint8_avx512.onnx", "onnx/model_qint8_avx512_vnni.onnx", "onnx/model_quint8_avx2.onnx",
    ];

    /// <summary>Lays out a repository that publishes every int8 variant beside fp32; each variant is a link to the fp32 graph, so the one a
    /// download picked still embeds exactly as fp32 does.</summary>
    public static TempDirectory PublishedVariants(string source)
    {
        var repository = new TempDirectory();
        SentenceEmbeddings.Tests.Tiers.ModelLayouts.LinkModel(source, repository.Path);
        foreach (string variant in PublishedInt8Files)
        {
            File.CreateSymbolicLink(Path.Combine(repository.Path, variant), Path.Combine(source, "onnx", "model.onnx"));
        }

        return repository;
    }

    /// <summary>Answers a file request with its headers and first 64 KB, then one byte every 50 ms until the client goes away.</summary>
    /// <param name="context">The request.</param>
    /// <param name="file">The served file.</param>
    /// <param name="started">Set once the first bytes are sent.</param>
    /// <param name="clientGone">Set once a write fails because the client closed the connection.</param>
    public static void Trickle(HttpListenerContext context, string file, TaskCompletionSource started, TaskCompletionSource clientGone)
    {
        byte[] content = File.ReadAllBytes(file);
        context.Response.ContentLength64 = content.Length;
        try
        {
            context.Response.OutputStream.Write(content, 0, 1 << 16);
            context.Response.OutputStream.Flush();
            started.TrySetResult();
            for (int sent = 1 << 16; sent < content.Length; sent++)
            {
                Thread.Sleep(50);
                context.Response.OutputStream.Write(content, sent, 1);
                context.Response.OutputStream.Flush();
            }
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException)
        {
            clientGone.TrySetResult();
        }
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "A git blob id is SHA-1 by definition; this checks integrity, not secrecy.")]
    public static string GitBlobId(string path)
    {
        byte[] content = File.ReadAllBytes(path);
        return Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was stopped under a pending GetContextAsync.
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        string path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath);
        Requests.Enqueue($"{context.Request.HttpMethod} {path} {context.Request.Headers["Range"]}".TrimEnd());
        Authorizations.Enqueue(context.Request.Headers["Authorization"]);
        try
        {
            if (Intercept?.Invoke(context, path) == true)
            {
                return;
            }

            if (path == $"/api/models/{RepoId}/revision/main")
            {
                var info = new { id = RepoId, sha = Commit, siblings = Files.Append("README.md").Append("onnx/model_O4.onnx").Select(f => new { rfilename = f }) };
                Write(context, 200, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(info)), "application/json");
                return;
            }

            string prefix = $"/{RepoId}/resolve/{Commit}/";
            if (path.StartsWith(prefix, StringComparison.Ordinal) && File.Exists(Path.Combine(_folder, path[prefix.Length..])))
            {
                ServeFile(context, path[prefix.Length..]);
                return;
            }

            Write(context, 404, Encoding.UTF8.GetBytes("{\"error\":\"Repository not found\"}"), "application/json");
        }
        catch (HttpListenerException)
        {
            // The client went away.
        }
    }

    private void ServeFile(HttpListenerContext context, string file)
    {
        string full = Path.Combine(_folder, file);
        bool large = file.EndsWith(".onnx", StringComparison.Ordinal);
        // Hashed once per file, as the hub stores them: answers come at once, as the hub's do.
        string etag = WrongEtags.TryGetValue(file, out string? wrong) ? wrong : _etags.GetOrAdd(full, f => large ? Sha256(f) : GitBlobId(f));
        HttpListenerResponse response = context.Response;
        long length = Length(full);
        response.Headers["X-Repo-Commit"] = Commit;
        if (large)
        {
            response.Headers["X-Linked-Etag"] = $"\"{etag}\"";
            response.Headers["X-Linked-Size"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            response.Headers["ETag"] = $"\"{etag}\"";
        }

        if (context.Request.HttpMethod == "HEAD")
        {
            response.ContentLength64 = length;
            response.StatusCode = 200;
            response.Close();
            return;
        }

        long start = 0;
        string? range = context.Request.Headers["Range"];
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            start = long.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["Content-Range"] = $"bytes {start}-{length - 1}/{length}";
        }

        response.StatusCode = range is null ? 200 : 206;
        response.ContentType = "application/octet-stream";
        response.ContentLength64 = length - start;
        using (FileStream stream = File.OpenRead(full))
        {
            stream.Position = start;
            stream.CopyTo(response.OutputStream);
        }

        response.Close();
    }

    /// <summary>Gets a file's length, through a symbolic link (the test layouts link the real model files).</summary>
    private static long Length(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return stream.Length;
    }

    public static void Write(HttpListenerContext context, int status, byte[] body, string contentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength64 = body.Length;
        context.Response.OutputStream.Write(body);
        context.Response.Close();
    }
}
