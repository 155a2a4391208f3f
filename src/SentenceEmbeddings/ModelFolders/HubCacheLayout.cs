namespace SentenceEmbeddings.ModelFolders;

/// <summary>Where huggingface_hub keeps a model: the cache's <c>models--{org}--{name}</c> folders with <c>blobs/</c>, <c>snapshots/{commit}/</c>
/// and <c>refs/{revision}</c>, and the hidden folder that holds partial files of a download into a plain folder.</summary>
/// <remarks>The one place these names live: the tier locator reads this layout and the hub downloader writes it.</remarks>
internal static class HubCacheLayout
{
    /// <summary>The revision used when none is named.</summary>
    public const string DefaultRevision = "main";

    /// <summary>Gets a model's folder in the cache.</summary>
    /// <param name="cache">The hub cache, such as <c>~/.cache/huggingface/hub</c>.</param>
    /// <param name="repoId">The model, such as <c>sentence-transformers/all-MiniLM-L6-v2</c>.</param>
    public static string RepositoryFolder(string cache, string repoId) =>
        Path.Combine(cache, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));

    /// <summary>Gets the folder of a repository's content-addressed files.</summary>
    public static string BlobsFolder(string repository) => Path.Combine(repository, "blobs");

    /// <summary>Gets the folder of one commit's files (links into <c>blobs/</c>).</summary>
    public static string SnapshotFolder(string repository, string commit) => Path.Combine(repository, "snapshots", commit);

    /// <summary>Gets the file that names the commit a revision (branch or tag) points at.</summary>
    public static string RefFile(string repository, string revision) => Path.Combine(repository, "refs", revision);

    /// <summary>Gets the partial file a blob is downloaded to before it is verified and renamed.</summary>
    public static string PartialBlob(string blob) => blob + ".incomplete";

    /// <summary>Gets the partial file of a download into a plain folder: under <c>.cache/huggingface/download/</c> as huggingface_hub's
    /// <c>local_dir</c> downloads keep them, so the folder never shows a half-written model file.</summary>
    public static string PartialInFolder(string folder, string file) =>
        Path.Combine(LocalDownloadFolder(folder), file + ".incomplete");

    /// <summary>Gets the hidden folder of a plain folder's partial downloads.</summary>
    public static string LocalDownloadFolder(string folder) => Path.Combine(folder, ".cache", "huggingface", "download");

    /// <summary>Gets the snapshot a revision resolves to: the commit in <c>refs/{revision}</c>, else the revision itself taken as a commit.</summary>
    /// <returns>The snapshot folder, or <see langword="null"/> when the cache has none for the revision.</returns>
    public static string? ResolveSnapshot(string repository, string revision)
    {
        string reference = RefFile(repository, revision);
        string commit = File.Exists(reference) ? File.ReadAllText(reference).Trim() : revision;
        if (commit.Length == 0 || commit.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            return null;
        }

        string snapshot = SnapshotFolder(repository, commit);
        return Directory.Exists(snapshot) ? snapshot : null;
    }

    /// <summary>Gets the only snapshot of a repository, for a cache copied without its <c>refs/</c>.</summary>
    /// <returns>The snapshot folder, or <see langword="null"/> when there is none or more than one.</returns>
    public static string? OnlySnapshot(string repository)
    {
        string snapshots = Path.Combine(repository, "snapshots");
        string[] all = Directory.Exists(snapshots) ? Directory.GetDirectories(snapshots) : [];
        return all.Length == 1 ? all[0] : null;
    }
}
