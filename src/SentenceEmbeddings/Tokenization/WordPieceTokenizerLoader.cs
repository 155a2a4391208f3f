using System.Text;
using System.Text.Json;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Builds a <see cref="WordPieceTokenizer"/> from a sentence-transformers or Hugging Face model folder.</summary>
/// <remarks>
/// <c>tokenizer.json</c> is preferred because it is what HuggingFace itself runs; without it, <c>vocab.txt</c> is read with the
/// settings of <c>tokenizer_config.json</c>, the way transformers converts a slow BERT tokenizer into a fast one.
/// </remarks>
internal static class WordPieceTokenizerLoader
{
    /// <summary>The name of the HuggingFace tokenizers file.</summary>
    public const string TokenizerJsonFileName = "tokenizer.json";

    /// <summary>The name of the one-token-per-line vocabulary file.</summary>
    public const string VocabularyFileName = "vocab.txt";

    private const int DefaultMaxInputCharsPerWord = 100;
    private const string DefaultContinuingSubwordPrefix = "##";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads the tokenizer of a model folder.</summary>
    /// <param name="modelDirectory">The folder that holds <c>tokenizer.json</c> or <c>vocab.txt</c>.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The folder does not exist or has neither file.</exception>
    /// <exception cref="InvalidModelFileException">A tokenizer file is malformed or describes something other than a BERT WordPiece tokenizer.</exception>
    public static WordPieceTokenizer Load(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);

        string vocabularyPath = Path.Combine(modelDirectory, VocabularyFileName);
        string tokenizerJsonPath = Path.Combine(modelDirectory, TokenizerJsonFileName);
        if (!Directory.Exists(modelDirectory))
        {
            throw new FileNotFoundException(
                $"The model folder '{modelDirectory}' does not exist, so there is no '{VocabularyFileName}' or '{TokenizerJsonFileName}' to read. "
                + DownloadAdvice,
                vocabularyPath);
        }

        TokenizerConfiguration configuration = TokenizerConfiguration.Read(modelDirectory);
        if (File.Exists(tokenizerJsonPath))
        {
            return FromTokenizerJson(tokenizerJsonPath, configuration);
        }

        if (File.Exists(vocabularyPath))
        {
            return FromVocabularyFile(vocabularyPath, configuration);
        }

        throw new FileNotFoundException(
            $"The model folder '{modelDirectory}' has neither '{VocabularyFileName}' nor '{TokenizerJsonFileName}'. " + DownloadAdvice,
            vocabularyPath);
    }

    private static string DownloadAdvice =>
        $"A BERT WordPiece model needs its vocabulary there: '{VocabularyFileName}' (one token per line) or '{TokenizerJsonFileName}'. "
        + "Download the model's files from its Hugging Face repository into that folder, for example with "
        + "'huggingface-cli download <model id> --local-dir <folder>'.";

    private static WordPieceTokenizer FromVocabularyFile(string path, TokenizerConfiguration configuration)
    {
        List<string> lines = ReadVocabularyLines(path);
        var vocabulary = new WordPieceVocabulary(
            lines.Select((token, index) => KeyValuePair.Create(token, index)),
            DefaultContinuingSubwordPrefix);

        // transformers' BERT converter: clean_text always on, the rest from tokenizer_config.json.
        BertNormalizerOptions options = BertNormalizerOptions.Create(
            cleanText: true,
            handleChineseChars: configuration.TokenizeChineseChars ?? true,
            stripAccents: configuration.StripAccents,
            lowercase: configuration.DoLowerCase ?? true);

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        AddAddedTokens(configuration.ConfigPath, configuration.AddedTokens, vocabulary, added);

        AddSpecialTokens(configuration, vocabulary, added, withDefaults: true);

        int unknownId = RequireToken(path, vocabulary, added, "unk_token", configuration.GetSpecialToken("unk_token") ?? "[UNK]");
        return new WordPieceTokenizer(
            vocabulary,
            options,
            new AddedTokenMatcher(added),
            DefaultMaxInputCharsPerWord,
            clsId: RequireToken(path, vocabulary, added, "cls_token", configuration.GetSpecialToken("cls_token") ?? "[CLS]"),
            sepId: RequireToken(path, vocabulary, added, "sep_token", configuration.GetSpecialToken("sep_token") ?? "[SEP]"),
            padId: RequireToken(path, vocabulary, added, "pad_token", configuration.GetSpecialToken("pad_token") ?? "[PAD]"),
            unknownId: unknownId,
            vocabularySize: Math.Max(vocabulary.IdCount, added.Values.DefaultIfEmpty(-1).Max() + 1))
        {
            SourcePath = path,
        };
    }

    private static WordPieceTokenizer FromTokenizerJson(string path, TokenizerConfiguration configuration)
    {
        using JsonDocument document = TokenizerJson.Parse(path);
        JsonElement root = TokenizerJson.RequireObject(path, document.RootElement, "the file");

        JsonElement model = root.TryGetProperty("model", out JsonElement modelElement)
            ? TokenizerJson.RequireObject(path, modelElement, "\"model\"")
            : throw TokenizerJson.Invalid(path, "it has no \"model\".");
        string? modelType = TokenizerJson.GetOptionalString(path, model, "type");
        if (modelType != "WordPiece")
        {
            throw TokenizerJson.Invalid(
                path,
                $"its model type is '{modelType ?? "(none)"}', not 'WordPiece'. This tokenizer reads BERT-style WordPiece models only.");
        }

        JsonElement normalizer = root.TryGetProperty("normalizer", out JsonElement normalizerElement) ? normalizerElement : default;
        string? normalizerType = normalizer.ValueKind == JsonValueKind.Object ? TokenizerJson.GetOptionalString(path, normalizer, "type") : null;
        if (normalizerType != "BertNormalizer")
        {
            throw TokenizerJson.Invalid(
                path,
                $"its normalizer is '{normalizerType ?? "(none)"}', not 'BertNormalizer'. This tokenizer reads BERT-style WordPiece models only.");
        }

        JsonElement preTokenizer = root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizerElement) ? preTokenizerElement : default;
        string? preTokenizerType = preTokenizer.ValueKind == JsonValueKind.Object ? TokenizerJson.GetOptionalString(path, preTokenizer, "type") : null;
        if (preTokenizerType != "BertPreTokenizer")
        {
            throw TokenizerJson.Invalid(
                path,
                $"its pre-tokenizer is '{preTokenizerType ?? "(none)"}', not 'BertPreTokenizer'. This tokenizer reads BERT-style WordPiece models only.");
        }

        var vocabulary = new WordPieceVocabulary(
            ReadVocabulary(path, model),
            TokenizerJson.GetOptionalString(path, model, "continuing_subword_prefix") ?? DefaultContinuingSubwordPrefix);
        BertNormalizerOptions options = BertNormalizerOptions.Create(
            cleanText: TokenizerJson.GetOptionalBoolean(path, normalizer, "clean_text") ?? true,
            handleChineseChars: TokenizerJson.GetOptionalBoolean(path, normalizer, "handle_chinese_chars") ?? true,
            stripAccents: TokenizerJson.GetOptionalBoolean(path, normalizer, "strip_accents"),
            lowercase: TokenizerJson.GetOptionalBoolean(path, normalizer, "lowercase") ?? true);

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out JsonElement addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
        {
            AddAddedTokens(path, addedTokens.EnumerateArray().Select(token => TokenizerJson.ReadAddedToken(path, token, null)), vocabulary, added);
        }

        // transformers adds the configured special tokens that tokenizer.json does not list, as sentence-transformers sees them.
        AddSpecialTokens(configuration, vocabulary, added, withDefaults: false);

        (string? postProcessorCls, string? postProcessorSep) = ReadPostProcessorTokens(path, root);
        string? paddingToken = root.TryGetProperty("padding", out JsonElement padding) && padding.ValueKind == JsonValueKind.Object
            ? TokenizerJson.GetOptionalString(path, padding, "pad_token")
            : null;

        // The model's own unknown token is the one WordPiece emits, whatever the other files say.
        string unknownToken = TokenizerJson.GetOptionalString(path, model, "unk_token") ?? "[UNK]";
        int unknownId = vocabulary.TryGetId(unknownToken, out int id)
            ? id
            : throw TokenizerJson.Invalid(path, $"its unknown token '{unknownToken}' is not in the model's vocabulary.");

        return new WordPieceTokenizer(
            vocabulary,
            options,
            new AddedTokenMatcher(added),
            TokenizerJson.GetOptionalCount(path, model, "max_input_chars_per_word") ?? DefaultMaxInputCharsPerWord,
            clsId: RequireToken(path, vocabulary, added, "cls_token", configuration.GetSpecialToken("cls_token") ?? postProcessorCls ?? "[CLS]"),
            sepId: RequireToken(path, vocabulary, added, "sep_token", configuration.GetSpecialToken("sep_token") ?? postProcessorSep ?? "[SEP]"),
            padId: RequireToken(path, vocabulary, added, "pad_token", configuration.GetSpecialToken("pad_token") ?? paddingToken ?? "[PAD]"),
            unknownId: unknownId,
            vocabularySize: Math.Max(vocabulary.IdCount, added.Values.DefaultIfEmpty(-1).Max() + 1))
        {
            SourcePath = path,
        };
    }

    private static List<KeyValuePair<string, int>> ReadVocabulary(string path, JsonElement model)
    {
        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw TokenizerJson.Invalid(path, "its model has no \"vocab\" object.");
        }

        var tokens = new List<KeyValuePair<string, int>>();
        foreach (JsonProperty token in vocab.EnumerateObject())
        {
            if (token.Value.ValueKind != JsonValueKind.Number || !token.Value.TryGetInt32(out int id) || id < 0)
            {
                throw TokenizerJson.Invalid(path, $"the vocabulary gives the token '{token.Name}' the id {token.Value}, which is not a non-negative integer.");
            }

            tokens.Add(KeyValuePair.Create(token.Name, id));
        }

        return tokens.Count > 0 ? tokens : throw TokenizerJson.Invalid(path, "its vocabulary is empty.");
    }

    /// <summary>Reads the special tokens that the post-processor puts around a single sequence, e.g. [CLS] $A [SEP] or &lt;s&gt; $A &lt;/s&gt;.</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="root">The file's root object.</param>
    /// <returns>The first and last token names, or <see langword="null"/> where the post-processor has none.</returns>
    internal static (string? Cls, string? Sep) ReadPostProcessorTokens(string path, JsonElement root)
    {
        if (!root.TryGetProperty("post_processor", out JsonElement processor) || processor.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        switch (TokenizerJson.GetOptionalString(path, processor, "type"))
        {
            case "BertProcessing" or "RobertaProcessing":
                return (FirstString(processor, "cls"), FirstString(processor, "sep"));
            case "TemplateProcessing"
                when processor.TryGetProperty("single", out JsonElement single)
                    && single.ValueKind == JsonValueKind.Array
                    && single.GetArrayLength() == 3:
                return (SpecialTokenName(single[0]), SpecialTokenName(single[2]));
            default:
                return (null, null);
        }

        static string? FirstString(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out JsonElement pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() > 0
                && pair[0].ValueKind == JsonValueKind.String
                ? pair[0].GetString()
                : null;

        static string? SpecialTokenName(JsonElement piece) =>
            piece.ValueKind == JsonValueKind.Object
                && piece.TryGetProperty("SpecialToken", out JsonElement special)
                && special.ValueKind == JsonValueKind.Object
                && special.TryGetProperty("id", out JsonElement name)
                && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
    }

    private static void AddAddedTokens(
        string path, IEnumerable<AddedTokenEntry> tokens, WordPieceVocabulary vocabulary, Dictionary<string, int> added)
    {
        foreach (AddedTokenEntry token in tokens)
        {
            // Matching in normalized text or only as whole words would need HuggingFace's full added-vocabulary logic.
            if (token.Normalized || token.SingleWord)
            {
                throw TokenizerJson.Invalid(
                    path,
                    $"its added token '{token.Content}' is {(token.Normalized ? "\"normalized\": true" : "\"single_word\": true")}. "
                    + "Only added tokens matched in the raw text (\"normalized\": false, \"single_word\": false), as BERT's special tokens are, are supported.");
            }

            int? id = token.Id;
            if (id is null && vocabulary.TryGetId(token.Content, out int vocabularyId))
            {
                id = vocabularyId;
            }

            added[token.Content] = id ?? throw TokenizerJson.Invalid(path, $"its added token '{token.Content}' has no id.");
        }
    }

    // An added token's id wins over the vocabulary's, as in HuggingFace's token_to_id.
    private static int RequireToken(string path, WordPieceVocabulary vocabulary, Dictionary<string, int> added, string key, string token) =>
        added.TryGetValue(token, out int id) || vocabulary.TryGetId(token, out id)
            ? id
            : throw TokenizerJson.Invalid(path, $"its {key} '{token}' is neither in the vocabulary nor an added token.");

    // The special tokens are added tokens too, matched in the raw text; one missing from the vocabulary is skipped.
    private static void AddSpecialTokens(
        TokenizerConfiguration configuration, WordPieceVocabulary vocabulary, Dictionary<string, int> added, bool withDefaults)
    {
        foreach (string key in TokenizerConfiguration.SpecialTokenKeys)
        {
            if ((configuration.GetSpecialToken(key) ?? (withDefaults ? DefaultSpecialToken(key) : null)) is { } token)
            {
                AddIfKnown(token, vocabulary, added);
            }
        }

        foreach (string token in configuration.AdditionalSpecialTokens)
        {
            AddIfKnown(token, vocabulary, added);
        }
    }

    private static void AddIfKnown(string token, WordPieceVocabulary vocabulary, Dictionary<string, int> added)
    {
        if (token.Length > 0 && !added.ContainsKey(token) && vocabulary.TryGetId(token, out int id))
        {
            added[token] = id;
        }
    }

    private static string DefaultSpecialToken(string key) => key switch
    {
        "unk_token" => "[UNK]",
        "sep_token" => "[SEP]",
        "pad_token" => "[PAD]",
        "cls_token" => "[CLS]",
        "mask_token" => "[MASK]",
        _ => string.Empty,
    };

    private static List<string> ReadVocabularyLines(string path)
    {
        string text;
        try
        {
            // A byte order mark is dropped; HuggingFace would keep it as part of the first token, which then never matches.
            text = File.ReadAllText(path, StrictUtf8);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidModelFileException(
                path,
                $"The vocabulary file '{path}' is not UTF-8 text ({exception.Message}). Download it again from the model's repository.",
                exception);
        }

        // One token per line, id = line number; "\r\n" endings are tolerated, other whitespace is part of the token.
        var lines = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline;
            lines.Add(text[start..(end > start && text[end - 1] == '\r' ? end - 1 : end)]);
            start = end + 1;
        }

        return lines.Count > 0
            ? lines
            : throw new InvalidModelFileException(path, $"The vocabulary file '{path}' is empty. Download it again from the model's repository.", null);
    }
}
