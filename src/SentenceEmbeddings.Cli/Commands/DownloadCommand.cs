using System.CommandLine;
using System.Diagnostics;
using SentenceEmbeddings.Tiers;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>download</c> command: fetch tiers or models from the HuggingFace hub into its cache or a plain folder, for offline use later.</summary>
internal static class DownloadCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var tier = new Option<string?>("--tier") { Description = "A tier (fast, balanced, accurate, multilingual) or 'all'." };
        var model = new Option<string?>("--model") { Description = "A model id such as sentence-transformers/all-MiniLM-L6-v2." };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => "main" };
        var variant = new Option<string?>("--variant") { Description = "The ONNX file, e.g. onnx/model_qint8_avx512_vnni.onnx; it wins over --onnx-variant." };
        var onnxVariant = new Option<OnnxVariant>("--onnx-variant") { Description = "Which ONNX file when --variant is not given: Fp32 (exact parity), or Auto (the published int8 variant this CPU runs, else fp32)." };
        var to = new Option<DirectoryInfo?>("--to") { Description = "A plain folder to fill (one model: the folder itself; several: one subfolder each) instead of the HuggingFace cache." };
        var command = new Command("download", "Download models from the HuggingFace hub (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE and HF_HUB_OFFLINE are honoured).")
        {
            tier, model, revision, variant, onnxVariant, to,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(tier) is null) == (result.GetValue(model) is null))
            {
                result.AddError("Give either --tier or --model.");
            }
        });
        command.SetAction((result, cancellationToken) =>
        {
            // The environment is read once, here, where the options are built.
            HubDownloadOptions options = HubDownloadOptions.FromEnvironment();
            options.Revision = result.GetValue(revision)!;
            options.OnnxFile = result.GetValue(variant);
            options.OnnxVariant = result.GetValue(onnxVariant);
            return RunAsync(result.GetValue(tier), result.GetValue(model), options, result.GetValue(to), cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(string? tier, string? model, HubDownloadOptions options, DirectoryInfo? to, CancellationToken cancellationToken)
    {
        List<string> models;
        if (model is not null)
        {
            models = [model];
        }
        else if (string.Equals(tier, "all", StringComparison.OrdinalIgnoreCase))
        {
            models = [.. EmbeddingTier.Defaults.Select(t => t.ModelId)];
        }
        else
        {
            EmbeddingTier? known = EmbeddingTier.Defaults.FirstOrDefault(t => string.Equals(t.Name, tier, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                await Console.Error.WriteLineAsync($"error: unknown tier '{tier}'; known tiers: {string.Join(", ", EmbeddingTier.Defaults.Select(t => t.Name))}, all.").ConfigureAwait(false);
                return 1;
            }

            models = [known.ModelId];
        }

        using var downloader = new HubDownloader(options);
        var progress = new ConsoleProgress();
        foreach (string repoId in models)
        {
            try
            {
                string folder = to is null
                    ? await downloader.DownloadAsync(repoId, progress, cancellationToken).ConfigureAwait(false)
                    : await downloader.DownloadToAsync(repoId, models.Count == 1 ? to.FullName : Path.Combine(to.FullName, repoId.Split('/')[^1]), progress, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{repoId} -> {folder}");
            }
            catch (HubDownloadException exception)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Progress on the console: a bar redrawn in place on a terminal, one line per finished file otherwise.</summary>
    private sealed class ConsoleProgress : IProgress<HubDownloadProgress>
    {
        private readonly bool _terminal = !Console.IsOutputRedirected;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _file;
        private long _startBytes;
        private TimeSpan _startTime;
        private TimeSpan _lastDraw;

        public void Report(HubDownloadProgress value)
        {
            if (value.File != _file)
            {
                _file = value.File;
                _startBytes = value.BytesReceived;
                _startTime = _clock.Elapsed;
            }

            if (value.Completed)
            {
                Console.WriteLine($"{(_terminal ? "\r" : string.Empty)}{value.File}: {Megabytes(value.BytesReceived)} done{new string(' ', 30)}");
                return;
            }

            if (!_terminal || _clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(200))
            {
                return;
            }

            _lastDraw = _clock.Elapsed;
            double seconds = Math.Max((_clock.Elapsed - _startTime).TotalSeconds, 1e-3);
            double rate = (value.BytesReceived - _startBytes) / seconds;
            string total = value.TotalBytes is long size ? $"/{Megabytes(size)}" : string.Empty;
            string eta = value.TotalBytes is long all && rate > 0 ? $", ETA {TimeSpan.FromSeconds((all - value.BytesReceived) / rate):mm\\:ss}" : string.Empty;
            int width = 30;
            int filled = value.TotalBytes is long length && length > 0 ? (int)(width * value.BytesReceived / length) : 0;
            Console.Write($"\r{value.File} [{new string('#', filled)}{new string('.', width - filled)}] {Megabytes(value.BytesReceived)}{total} at {rate / 1e6:F1} MB/s{eta}   ");
        }

        private static string Megabytes(long bytes) => $"{bytes / 1e6:F1} MB";
    }
}
