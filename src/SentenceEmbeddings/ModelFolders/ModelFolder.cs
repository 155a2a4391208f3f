using System.Text.Json;
using System.Text.Json.Nodes;
using SentenceEmbeddings.Pooling;

namespace SentenceEmbeddings.ModelFolders;

/// <summary>What a sentence-transformers model folder (as published on the HuggingFace hub) says about running its model.</summary>
internal sealed class ModelFolder
{
    private const int FallbackMaxSequenceLength = 512;

    private ModelFolder(string directory)
    {
        Directory = directory;
    }

    /// <summary>Gets the model folder's full path.</summary>
    public string Directory { get; }

    /// <summary>Gets the number of tokens, special tokens included, after which texts are truncated.</summary>
    public int MaxSequenceLength { get; private init; } = FallbackMaxSequenceLength;

    /// <summary>Gets a value indicating whether sentence-transformers lower-cases texts before tokenizing (<c>sentence_bert_config.json</c> <c>do_lower_case</c>).</summary>
    public bool LowerCaseInput { get; private init; }

    /// <summary>Gets the pooling that turns token vectors into a sentence vector.</summary>
    public PoolingSettings Pooling { get; private init; } = new(PoolingModes.Mean, IncludePrompt: true);

    /// <summary>Gets a value indicating whether the model ends with a Normalize module (unit-length vectors).</summary>
    public bool Normalize { get; private init; }

    /// <summary>Gets the named prompts of <c>config_sentence_transformers.json</c>.</summary>
    public IReadOnlyDictionary<string, string> Prompts { get; private init; } = new Dictionary<string, string>();

    /// <summary>Gets the prompt used when the caller names none, if the model has one.</summary>
    public string? DefaultPromptName { get; private init; }

    /// <summary>Gets the number of positions the model can take (<c>config.json</c> <c>max_position_embeddings</c>), if known.</summary>
    public int? MaxPositionEmbeddings { get; private init; }

    /// <summary>Reads the configuration files of a model folder (the ONNX file is looked up separately, so a tokenizer-only folder reads too).</summary>
    /// <param name="directory">The model folder.</param>
    /// <returns>The folder's description.</returns>
    /// <exception cref="FileNotFoundException">The folder is missing.</exception>
    /// <exception cref="InvalidModelFileException">A configuration file is malformed or asks for something unsupported.</exception>
    public static ModelFolder Read(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new FileNotFoundException(
                $"The model folder '{full}' does not exist. It should hold a sentence-transformers model as published on the HuggingFace hub " +
                "(onnx/model.onnx, tokenizer files, modules.json, 1_Pooling/config.json, sentence_bert_config.json).",
                full);
        }

        JsonObject? sentenceBertConfig = ReadJson(full, "sentence_bert_config.json");
        JsonObject? tokenizerConfig = ReadJson(full, "tokenizer_config.json");
        JsonObject? modelConfig = ReadJson(full, "config.json");
        JsonObject? sentenceTransformersConfig = ReadJson(full, "config_sentence_transformers.json");
        (PoolingSettings pooling, bool normalize) = ReadModules(full);

        var prompts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sentenceTransformersConfig?["prompts"] is JsonObject promptObject)
        {
            foreach (KeyValuePair<string, JsonNode?> prompt in promptObject)
            {
                prompts[prompt.Key] = GetString(prompt.Value, full, "config_sentence_transformers.json", $"prompts.{prompt.Key}") ?? string.Empty;
            }
        }

        string? defaultPromptName = GetString(sentenceTransformersConfig?["default_prompt_name"], full, "config_sentence_transformers.json", "default_prompt_name");
        if (defaultPromptName is not null && !prompts.ContainsKey(defaultPromptName))
        {
            throw Invalid(full, "config_sentence_transformers.json", $"default_prompt_name '{defaultPromptName}' is not one of its prompts ({string.Join(", ", prompts.Keys)}).");
        }

        return new ModelFolder(full)
        {
            MaxSequenceLength = ReadMaxSequenceLength(full, sentenceBertConfig, tokenizerConfig, modelConfig),
            LowerCaseInput = GetBool(sentenceBertConfig?["do_lower_case"], full, "sentence_bert_config.json", "do_lower_case") ?? false,
            Pooling = pooling,
            Normalize = normalize,
            Prompts = prompts,
            DefaultPromptName = defaultPromptName,
            MaxPositionEmbeddings = GetInt(modelConfig?["max_position_embeddings"], full, "config.json", "max_position_embeddings"),
        };
    }

    /// <summary>Finds the ONNX file to run.</summary>
    /// <param name="onnxFile">The ONNX file relative to the folder, or <see langword="null"/> to choose by <paramref name="variant"/>.</param>
    /// <param name="variant">Which file to choose when <paramref name="onnxFile"/> is <see langword="null"/>.</param>
    /// <param name="useCuda">Whether the model runs on CUDA, where int8 variants are never chosen.</param>
    /// <returns>The file's full path.</returns>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    public string FindOnnxFile(string? onnxFile, OnnxVariant variant = OnnxVariant.Fp32, bool useCuda = false) =>
        FindOnnxFile(onnxFile, variant, useCuda, CpuFeatures.Current);

    /// <summary>Finds the ONNX file to run, as <see cref="FindOnnxFile(string?, OnnxVariant, bool)"/> does, for the given CPU.</summary>
    internal string FindOnnxFile(string? onnxFile, OnnxVariant variant, bool useCuda, CpuFeatures cpu)
    {
        string directory = Directory;
        if (onnxFile is not null)
        {
            string path = Path.GetFullPath(Path.Combine(directory, onnxFile));
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException(
                    $"The ONNX file '{path}' does not exist. Download the variant '{onnxFile}' of this model from the HuggingFace hub into the folder, or choose another file.",
                    path);
        }

        string? selected = OnnxFileSelector.SelectIn(directory, variant, cpu, useCuda);
        return selected is not null
            ? Path.GetFullPath(Path.Combine(directory, selected))
            : throw new FileNotFoundException(
                $"No ONNX file in the model folder '{directory}': looked for model.onnx and onnx/model.onnx. " +
                "Download the model's ONNX export from the HuggingFace hub (the onnx/ folder of its repository) into this folder.",
                Path.Combine(directory, "onnx", "model.onnx"));
    }

    private static int ReadMaxSequenceLength(string directory, JsonObject? sentenceBertConfig, JsonObject? tokenizerConfig, JsonObject? modelConfig)
    {
        int? configured = GetInt(sentenceBertConfig?["max_seq_length"], directory, "sentence_bert_config.json", "max_seq_length");
        if (configured is int value)
        {
            return value >= 2 ? value : throw Invalid(directory, "sentence_bert_config.json", $"max_seq_length is {value}; it must be at least 2.");
        }

        // Without max_seq_length, sentence-transformers takes the smaller of the tokenizer's and the model's limits.
        long limit = long.MaxValue;
        if (GetLong(tokenizerConfig?["model_max_length"], directory, "tokenizer_config.json", "model_max_length") is long tokenizerLimit and > 0)
        {
            limit = tokenizerLimit;
        }

        if (GetLong(modelConfig?["max_position_embeddings"], directory, "config.json", "max_position_embeddings") is long positions and > 0)
        {
            limit = Math.Min(limit, positions);
        }

        return limit is >= 2 and <= 1_000_000 ? (int)limit : FallbackMaxSequenceLength;
    }

    private static (PoolingSettings Pooling, bool Normalize) ReadModules(string directory)
    {
        JsonNode? modules = ReadJsonNode(directory, "modules.json");
        if (modules is null)
        {
            // A plain transformers folder: sentence-transformers wraps it with mean pooling and no normalisation.
            return (new PoolingSettings(PoolingModes.Mean, IncludePrompt: true), false);
        }

        if (modules is not JsonArray moduleArray)
        {
            throw Invalid(directory, "modules.json", "it must be a JSON array of modules.");
        }

        PoolingSettings? pooling = null;
        bool normalize = false;
        foreach (JsonNode? module in moduleArray)
        {
            string type = GetString(module?["type"], directory, "modules.json", "type")
                ?? throw Invalid(directory, "modules.json", "a module has no \"type\".");
            string kind = type[(type.LastIndexOf('.') + 1)..];
            switch (kind)
            {
                case "Transformer":
                    break;
                case "Pooling":
                    string path = GetString(module?["path"], directory, "modules.json", "path") ?? "1_Pooling";
                    pooling = ReadPooling(directory, Path.Combine(path, "config.json"));
                    break;
                case "Normalize":
                    normalize = true;
                    break;
                default:
                    throw Invalid(
                        directory,
                        "modules.json",
                        $"the module type '{type}' is not supported; supported are Transformer, Pooling and Normalize. Export the whole pipeline to one ONNX file with a 'sentence_embedding' output instead.");
            }
        }

        return (pooling ?? new PoolingSettings(PoolingModes.Mean, IncludePrompt: true), normalize);
    }

    private static PoolingSettings ReadPooling(string directory, string relativePath)
    {
        JsonObject config = ReadJson(directory, relativePath)
            ?? throw new FileNotFoundException(
                $"modules.json names a Pooling module, but '{Path.Combine(directory, relativePath)}' does not exist. Download it from the model's repository on the HuggingFace hub.",
                Path.Combine(directory, relativePath));

        PoolingModes modes = PoolingModes.None;
        JsonNode? mode = config["pooling_mode"];
        if (mode is not null)
        {
            // The newer sentence-transformers schema: "pooling_mode": "mean" (or a list of modes).
            JsonNode?[] names = mode is JsonArray list ? [.. list] : [mode];
            foreach (JsonNode? name in names)
            {
                string text = GetString(name, directory, relativePath, "pooling_mode") ?? string.Empty;
                modes |= text switch
                {
                    "cls" => PoolingModes.Cls,
                    "max" => PoolingModes.Max,
                    "mean" => PoolingModes.Mean,
                    "mean_sqrt_len_tokens" => PoolingModes.MeanSqrtLength,
                    "weightedmean" => PoolingModes.WeightedMean,
                    "lasttoken" => PoolingModes.LastToken,
                    _ => throw Invalid(directory, relativePath, $"unknown pooling_mode '{text}'; known are cls, max, mean, mean_sqrt_len_tokens, weightedmean and lasttoken."),
                };
            }
        }

        foreach ((string key, PoolingModes flag) in (ReadOnlySpan<(string, PoolingModes)>)
            [
                ("pooling_mode_cls_token", PoolingModes.Cls),
                ("pooling_mode_max_tokens", PoolingModes.Max),
                ("pooling_mode_mean_tokens", PoolingModes.Mean),
                ("pooling_mode_mean_sqrt_len_tokens", PoolingModes.MeanSqrtLength),
                ("pooling_mode_weightedmean_tokens", PoolingModes.WeightedMean),
                ("pooling_mode_lasttoken", PoolingModes.LastToken),
            ])
        {
            if (GetBool(config[key], directory, relativePath, key) == true)
            {
                modes |= flag;
            }
        }

        foreach (KeyValuePair<string, JsonNode?> entry in config)
        {
            if (entry.Key.StartsWith("pooling_mode_", StringComparison.Ordinal) && entry.Value?.GetValueKind() == JsonValueKind.True &&
                entry.Key is not ("pooling_mode_cls_token" or "pooling_mode_max_tokens" or "pooling_mode_mean_tokens" or "pooling_mode_mean_sqrt_len_tokens" or "pooling_mode_weightedmean_tokens" or "pooling_mode_lasttoken"))
            {
                throw Invalid(directory, relativePath, $"unknown pooling mode '{entry.Key}'.");
            }
        }

        if (modes == PoolingModes.None)
        {
            throw Invalid(directory, relativePath, "no pooling mode is switched on (pooling_mode or pooling_mode_*_tokens).");
        }

        bool includePrompt = GetBool(config["include_prompt"], directory, relativePath, "include_prompt") ?? true;
        return new PoolingSettings(modes, includePrompt);
    }

    private static JsonObject? ReadJson(string directory, string relativePath) => ReadJsonNode(directory, relativePath) switch
    {
        null => null,
        JsonObject value => value,
        _ => throw Invalid(directory, relativePath, "it must hold a JSON object."),
    };

    private static JsonNode? ReadJsonNode(string directory, string relativePath)
    {
        string path = Path.Combine(directory, relativePath);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using FileStream stream = File.OpenRead(path);
            return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException exception)
        {
            throw new InvalidModelFileException(path, $"'{path}' is not valid JSON ({exception.Message}). Download the file again from the model's repository.", exception);
        }
    }

    private static string? GetString(JsonNode? node, string directory, string file, string key) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => node.GetValue<string>(),
        _ => throw Invalid(directory, file, $"\"{key}\" must be a string."),
    };

    private static bool? GetBool(JsonNode? node, string directory, string file, string key) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Invalid(directory, file, $"\"{key}\" must be true or false."),
    };

    private static long? GetLong(JsonNode? node, string directory, string file, string key)
    {
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        // model_max_length is often written as a huge float (1e30) meaning "no limit".
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out double number) && double.IsFinite(number))
        {
            return number >= long.MaxValue ? long.MaxValue : (long)number;
        }

        throw Invalid(directory, file, $"\"{key}\" must be a number.");
    }

    private static int? GetInt(JsonNode? node, string directory, string file, string key)
    {
        long? value = GetLong(node, directory, file, key);
        return value is null ? null : value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Invalid(directory, file, $"\"{key}\" is out of range.");
    }

    private static InvalidModelFileException Invalid(string directory, string file, string problem)
    {
        string path = Path.Combine(directory, file);
        return new InvalidModelFileException(path, $"'{path}': {problem} Correct the file, or download it again from the model's repository.", null);
    }
}
