using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SentenceEmbeddings;

/// <summary>Downloads the files a sentence-transformers folder needs from the HuggingFace hub, into the hub cache or a plain folder.</summary>
/// <remarks>
/// <para>It speaks the hub's HTTP API as <c>huggingface_hub</c> does: the file list and commit from
/// <c>/api/models/{repo}/revision/{revision}</c>, the files from <c>/{repo}/resolve/{commit}/{path}</c>, each checked against
/// its ETag (sha256 for large files, the git blob id for small ones) before it becomes visible.</para>
/// <para>A broken download resumes where it stopped (HTTP Range); 5xx answers, dropped connections and stalls are retried
/// with growing delays. A model appears whole or not at all: the cache's snapshot is linked after every blob is verified, and
/// in a plain folder the ONNX file, which is what marks a folder as a model, is moved into place last.</para>
/// </remarks>
public sealed class HubDownloader : IDisposable
{
    private const int MaxRedirects = 5;
    private static readonly string[] ConfigFiles =
    [
        "config.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "sentencepiece.bpe.model",
    ];

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly HubDownloadOptions _options;

    /// <summary>Initializes a new instance of the <see cref="HubDownloader"/> class.</summary>
    /// <param name="options">Where to download from and to, or <see langword="null"/> for the defaults (environment variables as huggingface_hub reads them).</param>
    /// <param name="httpMessageHandler">The HTTP handler to send requests with, or <see langword="null"/> for one of its own; it must not follow redirects itself.</param>
    public HubDownloader(HubDownloadOptions? options = null, HttpMessageHandler? httpMessageHandler = null)
    {
        _options = options ?? new HubDownloadOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRetries, nameof(options));
        _ownsHttp = httpMessageHandler is null;

        // Redirects are followed by hand: the hub's first answer carries the ETag and commit, and the token must not follow to a CDN.
        _http = new HttpClient(httpMessageHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }, disposeHandler: _ownsHttp)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("SentenceEmbeddings", typeof(HubDownloader).Assembly.GetName().Version?.ToString() ?? "0"));
    }

    /// <summary>Downloads a model into the HuggingFace hub cache (<c>models--{org}--{name}/blobs</c>, <c>snapshots/{commit}</c>, <c>refs/{revision}</c>).</summary>
    /// <param name="repoId">The model, such as <c>sentence-transformers/all-MiniLM-L6-v2</c>.</param>
    /// <param name="progress">Receives progress per file, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The <see cref="CancellationToken"/> to monitor for cancellation requests. The default is <see cref="CancellationToken.None"/>.</param>
    /// <returns>The snapshot folder, ready for the tier registry and for Python's huggingface_hub.</returns>
    /// <exception cref="HubDownloadException">The model or a file does not exist, access is refused, offline mode has no cached copy, a file is corrupt, or the disk is full.</exception>
    public async Task<string> DownloadAsync(string repoId, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        string repository = Path.Combine(_options.CacheDirectory, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));
        if (_options.Offline)
        {
            string? cached = CachedSnapshot(repository);
            return cached ?? throw new HubDownloadException(
                repoId,
                null,
                $"HF_HUB_OFFLINE is set and '{repoId}' (revision {_options.Revision}) is not in the cache '{_options.CacheDirectory}'. Download it on a machine with network access first: sentence-embeddings download --model {repoId}.");
        }

        (string commit, List<string> files) = await GetFileListAsync(repoId, cancellationToken).ConfigureAwait(false);
        string blobs = Path.Combine(repository, "blobs");
        var downloaded = new List<(string File, string Blob)>();
        foreach (string file in files)
        {
            string blob = await DownloadFileAsync(repoId, commit, file, etag => Path.Combine(blobs, etag), progress, cancellationToken).ConfigureAwait(false);
            downloaded.Add((file, blob));
        }

        // Only now, with every blob verified, does the snapshot appear, and refs/{revision} last of all.
        string snapshot = Path.Combine(repository, "snapshots", commit);
        foreach ((string file, string blob) in downloaded)
        {
            LinkIntoSnapshot(snapshot, file, blob);
        }

        if (!string.Equals(_options.Revision, commit, StringComparison.Ordinal))
        {
            string reference = Path.Combine(repository, "refs", _options.Revision);
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
    public async Task<string> DownloadToAsync(string repoId, string directory, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string target = Path.GetFullPath(directory);
        if (_options.Offline)
        {
            return File.Exists(Path.Combine(target, _options.OnnxFile)) ? target : throw new HubDownloadException(
                repoId,
                null,
                $"HF_HUB_OFFLINE is set and '{target}' holds no '{_options.OnnxFile}'. Download '{repoId}' there on a machine with network access first.");
        }

        (string commit, List<string> files) = await GetFileListAsync(repoId, cancellationToken).ConfigureAwait(false);
        foreach (string file in files)
        {
            string destination = Path.Combine(target, file);
            await DownloadFileAsync(repoId, commit, file, _ => destination, progress, cancellationToken).ConfigureAwait(false);
        }

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

    /// <summary>Tells whether a repository file belongs in a sentence-transformers folder for the chosen ONNX variant.</summary>
    internal static bool IsNeeded(string file, string onnxFile) =>
        string.Equals(file, onnxFile, StringComparison.Ordinal)
        || string.Equals(file, onnxFile + "_data", StringComparison.Ordinal) // weights stored beside a large ONNX graph
        || ConfigFiles.Contains(file, StringComparer.Ordinal)
        || file.StartsWith("1_Pooling/", StringComparison.Ordinal)
        || file.StartsWith("2_Normalize/", StringComparison.Ordinal);

    private string? CachedSnapshot(string repository)
    {
        string reference = Path.Combine(repository, "refs", _options.Revision);
        string commit = File.Exists(reference) ? File.ReadAllText(reference).Trim() : _options.Revision;
        string snapshot = Path.Combine(repository, "snapshots", commit);
        return File.Exists(Path.Combine(snapshot, _options.OnnxFile)) ? snapshot : null;
    }

    private async Task<(string Commit, List<string> Files)> GetFileListAsync(string repoId, CancellationToken cancellationToken)
    {
        Uri uri = new(_options.Endpoint, $"api/models/{repoId}/revision/{Uri.EscapeDataString(_options.Revision)}");
        using HttpResponseMessage response = await SendWithRetriesAsync(repoId, "the file list", () => Request(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        string json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string commit;
        var files = new List<string>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            commit = document.RootElement.GetProperty("sha").GetString() ?? throw new JsonException("no sha");
            foreach (JsonElement sibling in document.RootElement.GetProperty("siblings").EnumerateArray())
            {
                string file = sibling.GetProperty("rfilename").GetString() ?? string.Empty;
                if (IsNeeded(file, _options.OnnxFile))
                {
                    files.Add(file);
                }
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new HubDownloadException(repoId, response.StatusCode, $"The hub's answer for '{repoId}' at {uri} is not the expected model info ({exception.Message}). Is HF_ENDPOINT ({_options.Endpoint}) a HuggingFace hub?", exception);
        }

        if (!files.Contains(_options.OnnxFile))
        {
            throw new HubDownloadException(
                repoId,
                HttpStatusCode.NotFound,
                $"'{repoId}' (revision {_options.Revision}) has no '{_options.OnnxFile}'. Pick another variant, or export the model to ONNX first.");
        }

        // The ONNX file last: in a plain folder it is what makes the folder count as a model.
        files.Sort((a, b) => (a.EndsWith(".onnx", StringComparison.Ordinal) ? 1 : 0).CompareTo(b.EndsWith(".onnx", StringComparison.Ordinal) ? 1 : 0));
        return (commit, files);
    }

    /// <summary>Downloads one file to the path chosen from its ETag, resuming a partial download and verifying the bytes first.</summary>
    /// <returns>The final path.</returns>
    private async Task<string> DownloadFileAsync(string repoId, string commit, string file, Func<string, string> destinationFor, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Uri uri = new(_options.Endpoint, $"{repoId}/resolve/{commit}/{file}");
        for (int attempt = 0; ; attempt++)
        {
            string? partial = null;
            try
            {
                using HttpResponseMessage head = await SendAsync(() => Request(HttpMethod.Head, uri), cancellationToken).ConfigureAwait(false);
                ThrowForStatus(repoId, file, head);
                string etag = Etag(head) ?? throw new HubDownloadException(repoId, head.StatusCode, $"The hub sent no ETag for '{file}' of '{repoId}', so it cannot be verified.");
                long? size = head.Headers.TryGetValues("X-Linked-Size", out IEnumerable<string>? sizes) && long.TryParse(sizes.First(), out long linked) ? linked : head.Content.Headers.ContentLength;
                string destination = destinationFor(etag);
                if (File.Exists(destination))
                {
                    progress?.Report(new HubDownloadProgress { File = file, BytesReceived = new FileInfo(destination).Length, TotalBytes = size, Completed = true });
                    return destination;
                }

                partial = destination + ".incomplete";
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                await ReceiveAsync(repoId, uri, file, partial, size, progress, cancellationToken).ConfigureAwait(false);
                Verify(repoId, file, partial, etag);
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
            catch (Exception exception) when (IsTransient(exception, cancellationToken) && attempt < _options.MaxRetries)
            {
                // A dropped connection or a stall: wait, then go on from the bytes already on disk.
                await Task.Delay(_options.RetryDelay * Math.Pow(2, attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsTransient(exception, cancellationToken))
            {
                throw new HubDownloadException(repoId, (exception as TransientStatusException)?.StatusCode, $"Downloading '{file}' of '{repoId}' failed after {_options.MaxRetries + 1} tries: {exception.Message}", exception);
            }
        }
    }

    private async Task ReceiveAsync(string repoId, Uri uri, string file, string partial, long? size, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        long existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using HttpResponseMessage response = await SendAsync(
            () =>
            {
                HttpRequestMessage request = Request(HttpMethod.Get, uri);
                if (existing > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(existing, null);
                }

                return request;
            },
            cancellationToken).ConfigureAwait(false);
        if (existing > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return; // the partial file already holds every byte; verification decides
        }

        ThrowForStatus(repoId, file, response);
        bool resumed = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
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
                    timeout.CancelAfter(_options.ReadTimeout);
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"No data for {_options.ReadTimeout.TotalSeconds} s while downloading '{file}'.");
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
        if (_options.Token is not null && uri.Host == _options.Endpoint.Host)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        }

        return request;
    }

    /// <summary>Sends a request, following redirects by hand and keeping the first answer's hub headers.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        HttpRequestMessage request = create();
        HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        HttpResponseHeaders first = response.Headers;
        for (int redirects = 0; (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location; redirects++)
        {
            if (redirects == MaxRedirects)
            {
                throw new HttpRequestException($"More than {MaxRedirects} redirects from {request.RequestUri}.");
            }

            Uri next = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
            var followed = new HttpRequestMessage(request.Method, next);
            if (request.Headers.Range is { } range)
            {
                followed.Headers.Range = range;
            }

            if (request.Headers.Authorization is { } authorization && next.Host == _options.Endpoint.Host)
            {
                followed.Headers.Authorization = authorization;
            }

            HttpResponseMessage redirected = await _http.SendAsync(followed, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            foreach (string header in (string[])["X-Linked-Etag", "X-Linked-Size", "X-Repo-Commit", "ETag"])
            {
                if (first.TryGetValues(header, out IEnumerable<string>? values) && !redirected.Headers.Contains(header))
                {
                    redirected.Headers.TryAddWithoutValidation(header, values);
                }
            }

            response.Dispose();
            request = followed;
            response = redirected;
        }

        if ((int)response.StatusCode >= 500)
        {
            HttpStatusCode status = response.StatusCode;
            response.Dispose();
            throw new TransientStatusException(status);
        }

        return response;
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(string repoId, string what, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                HttpResponseMessage response = await SendAsync(create, cancellationToken).ConfigureAwait(false);
                ThrowForStatus(repoId, what, response);
                return response;
            }
            catch (Exception exception) when (IsTransient(exception, cancellationToken) && attempt < _options.MaxRetries)
            {
                await Task.Delay(_options.RetryDelay * Math.Pow(2, attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsTransient(exception, cancellationToken))
            {
                throw new HubDownloadException(repoId, (exception as TransientStatusException)?.StatusCode, $"Getting {what} of '{repoId}' failed after {_options.MaxRetries + 1} tries: {exception.Message}", exception);
            }
        }
    }

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
                    throw new HubDownloadException(repoId, response.StatusCode, $"The hub answered {(int)response.StatusCode} {response.ReasonPhrase} for {what} of '{repoId}'.");
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

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        TransientStatusException or HttpRequestException or TimeoutException => true,
        IOException when !IsDiskFull((IOException)exception) && !IsReadOnlyFileSystem((IOException)exception) => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    // ENOSPC on Unix (the errno), ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException exception) => exception.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);

    // EROFS on Unix (a read-only mount), ERROR_WRITE_PROTECT on Windows.
    private static bool IsReadOnlyFileSystem(IOException exception) => exception.HResult is 30 or unchecked((int)0x80070013);

    /// <summary>A 5xx answer, worth another try.</summary>
    private sealed class TransientStatusException(HttpStatusCode statusCode) : Exception($"The hub answered {(int)statusCode}.")
    {
        public HttpStatusCode StatusCode { get; } = statusCode;
    }
}
