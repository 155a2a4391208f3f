using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using SentenceEmbeddings.Hub;
using SentenceEmbeddings.ModelFolders;

namespace SentenceEmbeddings;

/// <summary>Downloads the files a sentence-transformers folder needs from the HuggingFace hub, into the hub cache or a plain folder.</summary>
/// <remarks>
/// <para>It speaks the hub's HTTP API as <c>huggingface_hub</c> does: the file list and commit from
/// <c>/api/models/{repo}/revision/{revision}</c>, the files from <c>/{repo}/resolve/{commit}/{path}</c>, each checked against
/// its ETag (sha256 for large files, the git blob id for small ones) before it becomes visible.</para>
/// <para>Requests that fail (5xx, 408, 429, a dropped connection, no answer within <see cref="HubDownloadOptions.ReadTimeout"/>) are retried
/// with growing delays by a Polly pipeline (Microsoft.Extensions.Http.Resilience's HTTP rules, <c>Retry-After</c> honoured); a transfer that
/// breaks or stalls resumes where it stopped (HTTP Range). A model appears whole or not at all: the cache's snapshot is linked after every
/// blob is verified, and in a plain folder the ONNX file, which is what marks a folder as a model, is moved into place last.</para>
/// </remarks>
public sealed class HubDownloader : IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddSentenceEmbeddings</c> registers with <c>IHttpClientFactory</c> for the hub.</summary>
    public const string HttpClientName = "SentenceEmbeddings.Hub";

    private const int MaxRedirects = 5;
    private static readonly string[] ConfigFiles =
    [
        "config.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "sentencepiece.bpe.model",
    ];

    private static readonly string[] HubHeaders = ["X-Linked-Etag", "X-Linked-Size", "X-Repo-Commit", "ETag"];

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly HubDownloadOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _requests;
    private readonly ResiliencePipeline _transfers;

    /// <summary>Initializes a new instance of the <see cref="HubDownloader"/> class with an HTTP client of its own.</summary>
    /// <param name="options">Where to download from and to, or <see langword="null"/> for <see cref="HubDownloadOptions.FromEnvironment"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public HubDownloader(HubDownloadOptions? options)
        : this(new HttpClient(CreatePrimaryHandler(), disposeHandler: true), options, ownsHttp: true)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HubDownloader"/> class with an HTTP client of its own and the options of <see cref="HubDownloadOptions.FromEnvironment"/>.</summary>
    public HubDownloader()
        : this(options: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HubDownloader"/> class that sends its requests with the given client.</summary>
    /// <param name="httpClient">The client, e.g. from <c>IHttpClientFactory.CreateClient(HubDownloader.HttpClientName)</c>; its handler must not follow
    /// redirects (the hub's first answer carries the file's hash, and the token must not go to a CDN). It is not disposed.</param>
    /// <param name="options">Where to download from and to, or <see langword="null"/> for <see cref="HubDownloadOptions.FromEnvironment"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public HubDownloader(HttpClient httpClient, HubDownloadOptions? options)
        : this(httpClient, options, ownsHttp: false)
    {
    }

    private HubDownloader(HttpClient httpClient, HubDownloadOptions? options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _options = options ?? HubDownloadOptions.FromEnvironment();
        try
        {
            _options.Validate();
        }
        catch when (ownsHttp)
        {
            httpClient.Dispose();
            throw;
        }

        _http = httpClient;
        _ownsHttp = ownsHttp;
        if (ownsHttp)
        {
            _http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline times each answer out; a multi-GB body may take hours
        }

        _requests = BuildRequestPipeline(_options);
        _transfers = BuildTransferPipeline(_options);
    }

    /// <summary>Downloads a model into the HuggingFace hub cache (<c>models--{org}--{name}/blobs</c>, <c>snapshots/{commit}</c>, <c>refs/{revision}</c>).</summary>
    /// <param name="repoId">The model, such as <c>sentence-transformers/all-MiniLM-L6-v2</c>.</param>
    /// <param name="progress">Receives progress per file, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The <see cref="CancellationToken"/> to monitor for cancellation requests. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>The snapshot folder, ready for the tier registry and for Python's huggingface_hub.</returns>
    /// <exception cref="HubDownloadException">The model or a file does not exist, access is refused, offline mode has no cached copy, a file is corrupt, or the disk is full.</exception>
    /// <exception cref="OperationCanceledException">The download was cancelled; what was verified stays in <c>blobs/</c>, a partial file stays as
    /// <c>*.incomplete</c> to resume from, and no snapshot or ref is written.</exception>
    public async Task<string> DownloadAsync(string repoId, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        string repository = HubCacheLayout.RepositoryFolder(_options.CacheDirectory, repoId);
        if (_options.Offline)
        {
            string? cached = HubCacheLayout.ResolveSnapshot(repository, _options.Revision);
            return cached is not null && HoldsOnnxFile(cached) ? cached : throw new HubDownloadException(
                repoId,
                null,
                $"HF_HUB_OFFLINE is set and '{repoId}' (revision {_options.Revision}) is not in the cache '{_options.CacheDirectory}'. Download it on a machine with network access first: sentence-embeddings download --model {repoId}.");
        }

        (string commit, List<string> files) = await GetFileListAsync(repoId, cancellationToken).ConfigureAwait(false);
        string blobs = HubCacheLayout.BlobsFolder(repository);
        var downloaded = new List<(string File, string Blob)>();
        foreach (string file in files)
        {
            string blob = await DownloadFileAsync(
                repoId,
                commit,
                file,
                etag =>
                {
                    string destination = Path.Combine(blobs, etag);
                    return (destination, HubCacheLayout.PartialBlob(destination));
                },
                progress,
                cancellationToken).ConfigureAwait(false);
            downloaded.Add((file, blob));
        }

        // Only now, with every blob verified, does the snapshot appear, and refs/{revision} last of all.
        string snapshot = HubCacheLayout.SnapshotFolder(repository, commit);
        foreach ((string file, string blob) in downloaded)
        {
            LinkIntoSnapshot(snapshot, file, blob);
        }

        if (!string.Equals(_options.Revision, commit, StringComparison.Ordinal))
        {
            string reference = HubCacheLayout.RefFile(repository, _options.Revision);
            Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
            await File.WriteAllTextAsync(reference, commit, cancellationToken).ConfigureAwait(false);
        }

        return snapshot;
    }

    /// <summary>Downloads a model into a plain folder: its files land in <paramref name="directory"/> itself (e.g. a mounted models store).</summary>
    /// <param name="repoId">The model, such as <c>sentence-transformers/all-MiniLM-L6-v2</c>.</param>
    /// <param name="directory">The folder to fill.</param>
    /// <param name="progress">Receives progress per file, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The <see cref="CancellationToken"/> to monitor for cancellation requests. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>The folder.</returns>
    /// <exception cref="HubDownloadException">As for <see cref="DownloadAsync"/>.</exception>
    /// <exception cref="OperationCanceledException">The download was cancelled; a partial file stays under <c>.cache/huggingface/download/</c>
    /// in the folder to resume from, and no ONNX file is in place.</exception>
    public async Task<string> DownloadToAsync(string repoId, string directory, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string target = Path.GetFullPath(directory);
        if (_options.Offline)
        {
            return HoldsOnnxFile(target) ? target : throw new HubDownloadException(
                repoId,
                null,
                $"HF_HUB_OFFLINE is set and '{target}' holds no '{_options.OnnxFile ?? _options.OnnxVariant.ToString()}' ONNX file. Download '{repoId}' there on a machine with network access first.");
        }

        (string commit, List<string> files) = await GetFileListAsync(repoId, cancellationToken).ConfigureAwait(false);
        foreach (string file in files)
        {
            string destination = Path.Combine(target, file);
            await DownloadFileAsync(repoId, commit, file, _ => (destination, HubCacheLayout.PartialInFolder(target, file)), progress, cancellationToken).ConfigureAwait(false);
        }

        RemoveEmptyFolders(HubCacheLayout.LocalDownloadFolder(target), stopAt: target);
        return target;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Creates the handler the hub's requests need: no automatic redirects (they are followed by hand, decision 7), no decompression
    /// (the bytes are hashed as sent), connections renewed every few minutes so DNS changes are seen.</summary>
    /// <returns>The handler.</returns>
    internal static SocketsHttpHandler CreatePrimaryHandler() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>Tells whether a repository file belongs in a sentence-transformers folder for the chosen ONNX file.</summary>
    internal static bool IsNeeded(string file, string onnxFile) =>
        string.Equals(file, onnxFile, StringComparison.Ordinal)
        || string.Equals(file, onnxFile + "_data", StringComparison.Ordinal) // weights stored beside a large ONNX graph
        || ConfigFiles.Contains(file, StringComparer.Ordinal)
        || file.StartsWith("1_Pooling/", StringComparison.Ordinal)
        || file.StartsWith("2_Normalize/", StringComparison.Ordinal);

    private static ResiliencePipeline<HttpResponseMessage> BuildRequestPipeline(HubDownloadOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
        {
            // 5xx, 408, 429, HttpRequestException and an attempt's timeout; Retry-After wins over the computed delay.
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            });
        }

        // Per attempt: the hub's answer (headers) must come within ReadTimeout; the body is timed per read in ReceiveAsync.
        return builder.AddTimeout(options.ReadTimeout).Build();
    }

    private static ResiliencePipeline BuildTransferPipeline(HubDownloadOptions options)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.MaxRetries > 0)
        {
            // A transfer that broke (the connection dropped, or no byte came for ReadTimeout) goes on from the bytes on disk.
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransferBrokenException>(),
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            });
        }

        return builder.Build();
    }

    private bool HoldsOnnxFile(string folder) => _options.OnnxFile is { } file
        ? File.Exists(Path.Combine(folder, file))
        : OnnxFileSelector.SelectIn(folder, _options.OnnxVariant, _options.Cpu, useCuda: false) is not null;

    private async Task<(string Commit, List<string> Files)> GetFileListAsync(string repoId, CancellationToken cancellationToken)
    {
        Uri uri = new(_options.Endpoint, $"api/models/{repoId}/revision/{Uri.EscapeDataString(_options.Revision)}");
        using HttpResponseMessage response = await SendAsync(repoId, "the file list", () => Request(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        string json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string commit;
        var siblings = new List<string>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            commit = document.RootElement.GetProperty("sha").GetString() ?? throw new JsonException("no sha");
            foreach (JsonElement sibling in document.RootElement.GetProperty("siblings").EnumerateArray())
            {
                siblings.Add(sibling.GetProperty("rfilename").GetString() ?? string.Empty);
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new HubDownloadException(repoId, response.StatusCode, $"The hub's answer for '{repoId}' at {uri} is not the expected model info ({exception.Message}). Is HF_ENDPOINT ({_options.Endpoint}) a HuggingFace hub?", exception);
        }

        // The same choice a generator makes in the downloaded folder, so that Auto fetches exactly the int8 file this CPU will run.
        string? onnxFile = _options.OnnxFile ?? OnnxFileSelector.Select(siblings, _options.OnnxVariant, _options.Cpu, useCuda: false);
        if (onnxFile is null || !siblings.Contains(onnxFile, StringComparer.Ordinal))
        {
            throw new HubDownloadException(
                repoId,
                HttpStatusCode.NotFound,
                $"'{repoId}' (revision {_options.Revision}) has no '{onnxFile ?? string.Join("' or '", OnnxFileSelector.Fp32Files)}'. Pick another variant, or export the model to ONNX first.");
        }

        List<string> files = [.. siblings.Where(f => IsNeeded(f, onnxFile))];

        // The ONNX file last: in a plain folder it is what makes the folder count as a model.
        files.Sort((a, b) => (a.EndsWith(".onnx", StringComparison.Ordinal) ? 1 : 0).CompareTo(b.EndsWith(".onnx", StringComparison.Ordinal) ? 1 : 0));
        return (commit, files);
    }

    /// <summary>Downloads one file to the place chosen from its ETag, resuming a partial download and verifying the bytes first.</summary>
    /// <returns>The final path.</returns>
    private async Task<string> DownloadFileAsync(
        string repoId,
        string commit,
        string file,
        Func<string, (string Destination, string Partial)> placeFor,
        IProgress<HubDownloadProgress>? progress,
        CancellationToken cancellationToken)
    {
        Uri uri = new(_options.Endpoint, $"{repoId}/resolve/{commit}/{file}");
        try
        {
            return await _transfers.ExecuteAsync(
                async token => await DownloadFileOnceAsync(repoId, uri, file, placeFor, progress, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TransferBrokenException exception)
        {
            throw new HubDownloadException(repoId, null, $"Downloading '{file}' of '{repoId}' failed after {_options.MaxRetries + 1} tries: {exception.Message}", exception.InnerException);
        }
    }

    private async ValueTask<string> DownloadFileOnceAsync(
        string repoId,
        Uri uri,
        string file,
        Func<string, (string Destination, string Partial)> placeFor,
        IProgress<HubDownloadProgress>? progress,
        CancellationToken cancellationToken)
    {
        string? partial = null;
        try
        {
            using HttpResponseMessage head = await SendAsync(repoId, file, () => Request(HttpMethod.Head, uri), cancellationToken).ConfigureAwait(false);
            string etag = Etag(head) ?? throw new HubDownloadException(repoId, head.StatusCode, $"The hub sent no ETag for '{file}' of '{repoId}', so it cannot be verified.");
            long? size = head.Headers.TryGetValues("X-Linked-Size", out IEnumerable<string>? sizes) && long.TryParse(sizes.First(), out long linked) ? linked : head.Content.Headers.ContentLength;
            (string destination, partial) = placeFor(etag);
            if (File.Exists(destination))
            {
                progress?.Report(new HubDownloadProgress { File = file, BytesReceived = new FileInfo(destination).Length, TotalBytes = size, Completed = true });
                return destination;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
            await ReceiveAsync(repoId, uri, file, partial, size, progress, cancellationToken).ConfigureAwait(false);
            Verify(repoId, file, partial, etag);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(partial, destination, overwrite: true);
            progress?.Report(new HubDownloadProgress { File = file, BytesReceived = new FileInfo(destination).Length, TotalBytes = size, Completed = true });
            return destination;
        }
        catch (IOException exception) when (IsDiskFull(exception))
        {
            throw new HubDownloadException(repoId, null, $"The disk is full while writing '{partial ?? file}'. Free space there or download elsewhere (--to or HF_HUB_CACHE).", exception);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException || (exception is IOException io && IsReadOnlyFileSystem(io)))
        {
            // Not worth a retry: the folder stays unwritable.
            throw new HubDownloadException(
                repoId,
                null,
                $"Cannot write '{partial ?? file}' ({exception.Message}). Make the folder writable, or download elsewhere (--to or HF_HUB_CACHE).",
                exception);
        }
        catch (IOException exception)
        {
            throw new TransferBrokenException($"the transfer broke ({exception.Message})", exception);
        }
    }

    private async Task ReceiveAsync(string repoId, Uri uri, string file, string partial, long? size, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        long existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using HttpResponseMessage response = await SendAsync(
            repoId,
            file,
            () =>
            {
                HttpRequestMessage request = Request(HttpMethod.Get, uri);
                if (existing > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(existing, null);
                }

                return request;
            },
            cancellationToken,
            rangeAlreadyComplete: existing > 0).ConfigureAwait(false);
        if (existing > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return; // the partial file already holds every byte; verification decides
        }

        bool resumed = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                long received = resumed ? existing : 0;
                byte[] buffer = new byte[1 << 16];
                while (true)
                {
                    stall.CancelAfter(_options.ReadTimeout);
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TransferBrokenException($"no data for {_options.ReadTimeout.TotalSeconds} s", exception);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    received += read;
                    progress?.Report(new HubDownloadProgress { File = file, BytesReceived = received, TotalBytes = size, Completed = false });
                }
            }
        }
    }

    private static void Verify(string repoId, string file, string path, string etag)
    {
        string actual;
        using (FileStream stream = File.OpenRead(path))
        {
            if (etag.Length == 64)
            {
                actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            else if (etag.Length == 40)
            {
                // Small files: the ETag is the git blob id, sha1 of "blob {size}\0" and the content.
                using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                sha1.AppendData(Encoding.ASCII.GetBytes($"blob {stream.Length}\0"));
                byte[] buffer = new byte[1 << 16];
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    sha1.AppendData(buffer, 0, read);
                }

                actual = Convert.ToHexStringLower(sha1.GetHashAndReset());
            }
            else
            {
                return; // an ETag of another form says nothing about the content
            }
        }

        if (!string.Equals(actual, etag, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(path);
            throw new HubDownloadException(repoId, null, $"'{file}' of '{repoId}' is corrupt: its hash is {actual}, the hub says {etag}. Nothing was kept; download again.");
        }
    }

    private static void LinkIntoSnapshot(string snapshot, string file, string blob)
    {
        string link = Path.Combine(snapshot, file);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }

        try
        {
            // As huggingface_hub: a relative link, so the cache can move.
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, blob));
        }
        catch (IOException)
        {
            File.Copy(blob, link); // no symbolic links here (Windows without the privilege)
        }
        catch (UnauthorizedAccessException)
        {
            File.Copy(blob, link);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        if (_options.Token is not null && SameOrigin(uri, _options.Endpoint))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        }

        return request;
    }

    /// <summary>Sends a request through the retry pipeline and turns what is left of a failure into a <see cref="HubDownloadException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(string repoId, string what, Func<HttpRequestMessage> create, CancellationToken cancellationToken, bool rangeAlreadyComplete = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await _requests.ExecuteAsync(
                async token => await FollowRedirectsAsync(create, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw new HubDownloadException(repoId, (exception as HttpRequestException)?.StatusCode, $"Getting {what} of '{repoId}' failed after {_options.MaxRetries + 1} tries: {exception.Message}", exception);
        }

        if (!(rangeAlreadyComplete && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable))
        {
            ThrowForStatus(repoId, what, response);
        }

        return response;
    }

    /// <summary>Sends one request, following redirects by hand: the hub's own answers carry the file's hash and commit, and the token goes to the hub's host only.</summary>
    private async Task<HttpResponseMessage> FollowRedirectsAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        HttpRequestMessage request = create();
        Uri sent = request.RequestUri!;
        HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.RequestMessage?.RequestUri is { } answered && !SameOrigin(answered, sent))
        {
            // A handler that follows redirects rewrites the request's address; the hub's own answer is lost by then.
            response.Dispose();
            throw new InvalidOperationException(
                $"The HttpClient followed a redirect from {sent.Authority} to {answered.Authority} itself. Give HubDownloader a client whose handler has AllowAutoRedirect = false: the hub's first answer carries the file's hash, and the token must not follow to a CDN.");
        }

        var hubHeaders = new List<KeyValuePair<string, IEnumerable<string>>>();
        for (int redirects = 0; ; redirects++)
        {
            if (SameOrigin(request.RequestUri!, _options.Endpoint))
            {
                // The last answer from the hub itself wins (a renamed repository redirects within the hub first).
                hubHeaders.RemoveAll(h => response.Headers.Contains(h.Key));
                hubHeaders.AddRange(response.Headers.Where(h => HubHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase)));
            }

            if ((int)response.StatusCode is not (>= 300 and < 400) || response.Headers.Location is not { } location)
            {
                break;
            }

            if (redirects == MaxRedirects)
            {
                response.Dispose();
                throw new HttpRequestException($"More than {MaxRedirects} redirects from {request.RequestUri}.");
            }

            Uri next = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
            var followed = new HttpRequestMessage(request.Method, next);
            if (request.Headers.Range is { } range)
            {
                followed.Headers.Range = range;
            }

            if (request.Headers.Authorization is { } authorization && SameOrigin(next, _options.Endpoint))
            {
                followed.Headers.Authorization = authorization;
            }

            response.Dispose();
            request = followed;
            response = await _http.SendAsync(followed, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }

        // The hub's own headers win over a CDN's: its ETag is the file's hash, a CDN's is not.
        foreach ((string name, IEnumerable<string> values) in hubHeaders)
        {
            response.Headers.Remove(name);
            response.Headers.TryAddWithoutValidation(name, values);
        }

        return response;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private void ThrowForStatus(string repoId, string what, HttpResponseMessage response)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                response.Dispose();
                throw new HubDownloadException(
                    repoId,
                    response.StatusCode,
                    _options.Token is null
                        ? $"The hub refused '{repoId}' ({(int)response.StatusCode}): it is gated or private. Accept its terms on the hub, then set HF_TOKEN to an access token."
                        : $"The hub refused '{repoId}' ({(int)response.StatusCode}) with the token given: check that HF_TOKEN is valid and has access to this model.");
            case HttpStatusCode.NotFound:
                response.Dispose();
                throw new HubDownloadException(repoId, response.StatusCode, $"The hub has no {what} for '{repoId}' (revision {_options.Revision}): check the model id, the revision and the file name.");
            case HttpStatusCode.PartialContent:
                return;
            default:
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    string tries = HttpClientResiliencePredicates.IsTransient(Outcome.FromResult(response)) ? $" after {_options.MaxRetries + 1} tries" : string.Empty;
                    throw new HubDownloadException(repoId, response.StatusCode, $"The hub answered {(int)response.StatusCode} {response.ReasonPhrase} for {what} of '{repoId}'{tries}.");
                }

                return;
        }
    }

    private static string? Etag(HttpResponseMessage response)
    {
        string? raw = response.Headers.TryGetValues("X-Linked-Etag", out IEnumerable<string>? linked) ? linked.First()
            : response.Headers.ETag?.Tag ?? (response.Headers.TryGetValues("ETag", out IEnumerable<string>? plain) ? plain.First() : null);
        return raw?.Replace("W/", string.Empty, StringComparison.Ordinal).Trim('"');
    }

    /// <summary>Removes a folder that holds no file (empty subfolders at most), then its parents up to <paramref name="stopAt"/> while they are empty.</summary>
    private static void RemoveEmptyFolders(string folder, string stopAt)
    {
        var current = new DirectoryInfo(folder);
        if (!current.Exists || current.EnumerateFiles("*", SearchOption.AllDirectories).Any())
        {
            return;
        }

        current.Delete(recursive: true);
        for (current = current.Parent; current is not null && current.FullName.Length > stopAt.Length && !current.EnumerateFileSystemInfos().Any(); current = current.Parent)
        {
            current.Delete();
        }
    }

    // ENOSPC on Unix (the errno), ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException exception) => exception.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);

    // EROFS on Unix (a read-only mount), ERROR_WRITE_PROTECT on Windows.
    private static bool IsReadOnlyFileSystem(IOException exception) => exception.HResult is 30 or unchecked((int)0x80070013);

    /// <summary>A transfer that broke or stalled after the hub answered: worth resuming from the bytes on disk.</summary>
    private sealed class TransferBrokenException(string message, Exception inner) : Exception(message, inner);
}
