using System.Globalization;
using System.Text.Json;

namespace SentenceEmbeddings.Tokenization;

/// <summary>The tokenizer settings of <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>, the files transformers writes beside the vocabulary.</summary>
internal sealed class TokenizerConfiguration
{
    /// <summary>The name of the file with the tokenizer's init arguments.</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>The name of the file with the special tokens, which override those of <see cref="ConfigFileName"/>.</summary>
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    private readonly Dictionary<string, string> _specialTokens = new(StringComparer.Ordinal);
    private readonly List<string> _additionalSpecialTokens = [];
    private readonly List<AddedTokenEntry> _addedTokens = [];

    private TokenizerConfiguration(string configPath) => ConfigPath = configPath;

    /// <summary>Gets the keys of the named special tokens, in the order transformers lists them.</summary>
    public static IReadOnlyList<string> SpecialTokenKeys { get; } =
        ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    /// <summary>Gets the path of <c>tokenizer_config.json</c> in the model folder, whether or not it exists.</summary>
    public string ConfigPath { get; }

    /// <summary>Gets the <c>do_lower_case</c> setting, or <see langword="null"/> when absent.</summary>
    public bool? DoLowerCase { get; private set; }

    /// <summary>Gets the <c>strip_accents</c> setting, or <see langword="null"/> when absent or null.</summary>
    public bool? StripAccents { get; private set; }

    /// <summary>Gets the <c>tokenize_chinese_chars</c> setting, or <see langword="null"/> when absent.</summary>
    public bool? TokenizeChineseChars { get; private set; }

    /// <summary>Gets the special tokens other than the named ones (<c>additional_special_tokens</c>).</summary>
    public IReadOnlyList<string> AdditionalSpecialTokens => _additionalSpecialTokens;

    /// <summary>Gets the tokens of <c>added_tokens_decoder</c>, with their ids.</summary>
    public IReadOnlyList<AddedTokenEntry> AddedTokens => _addedTokens;

    /// <summary>Reads both files from a model folder; a missing file counts as empty.</summary>
    /// <param name="modelDirectory">The model folder.</param>
    /// <returns>The settings found.</returns>
    /// <exception cref="InvalidModelFileException">A file is not valid JSON or has a value of the wrong type.</exception>
    public static TokenizerConfiguration Read(string modelDirectory)
    {
        string configPath = Path.Combine(modelDirectory, ConfigFileName);
        var configuration = new TokenizerConfiguration(configPath);
        if (File.Exists(configPath))
        {
            using JsonDocument document = TokenizerJson.Parse(configPath);
            configuration.ReadConfig(configPath, document.RootElement);
        }

        // transformers lets special_tokens_map.json override the special tokens of tokenizer_config.json.
        string mapPath = Path.Combine(modelDirectory, SpecialTokensMapFileName);
        if (File.Exists(mapPath))
        {
            using JsonDocument document = TokenizerJson.Parse(mapPath);
            configuration.ReadSpecialTokens(mapPath, TokenizerJson.RequireObject(mapPath, document.RootElement, "the file"));
        }

        return configuration;
    }

    /// <summary>Gets the text of a named special token such as <c>cls_token</c>.</summary>
    /// <param name="key">The key, e.g. <c>cls_token</c>.</param>
    /// <returns>The token text, or <see langword="null"/> when neither file names it.</returns>
    public string? GetSpecialToken(string key) => _specialTokens.GetValueOrDefault(key);

    private void ReadConfig(string path, JsonElement root)
    {
        TokenizerJson.RequireObject(path, root, "the file");
        DoLowerCase = TokenizerJson.GetOptionalBoolean(path, root, "do_lower_case");
        StripAccents = TokenizerJson.GetOptionalBoolean(path, root, "strip_accents");
        TokenizeChineseChars = TokenizerJson.GetOptionalBoolean(path, root, "tokenize_chinese_chars");
        ReadSpecialTokens(path, root);

        if (root.TryGetProperty("added_tokens_decoder", out JsonElement decoder) && decoder.ValueKind != JsonValueKind.Null)
        {
            foreach (JsonProperty entry in TokenizerJson.RequireObject(path, decoder, "added_tokens_decoder").EnumerateObject())
            {
                if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    throw TokenizerJson.Invalid(path, $"added_tokens_decoder has the key '{entry.Name}', which is not a token id.");
                }

                _addedTokens.Add(TokenizerJson.ReadAddedToken(path, entry.Value, id));
            }
        }
    }

    private void ReadSpecialTokens(string path, JsonElement root)
    {
        foreach (string key in SpecialTokenKeys)
        {
            if (root.TryGetProperty(key, out JsonElement value) && TokenizerJson.ReadTokenContent(path, value, key) is { } content)
            {
                _specialTokens[key] = content;
            }
        }

        if (root.TryGetProperty("additional_special_tokens", out JsonElement additional) && additional.ValueKind == JsonValueKind.Array)
        {
            _additionalSpecialTokens.Clear();
            foreach (JsonElement token in additional.EnumerateArray())
            {
                if (TokenizerJson.ReadTokenContent(path, token, "additional_special_tokens") is { } content)
                {
                    _additionalSpecialTokens.Add(content);
                }
            }
        }
    }
}
