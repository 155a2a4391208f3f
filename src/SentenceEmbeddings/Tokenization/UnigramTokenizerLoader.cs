using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Builds a <see cref="UnigramTokenizer"/> from a Unigram <c>tokenizer.json</c>, the file HuggingFace's fast XLM-RoBERTa tokenizer runs.</summary>
/// <remarks>
/// Reads the normalizer sequence (<c>Precompiled</c>, <c>Replace</c>, <c>Strip</c>, <c>NFC</c>/<c>NFD</c>/<c>NFKC</c>/<c>NFKD</c>),
/// the Metaspace pre-tokenizer in both of its JSON forms (<c>add_prefix_space</c> and <c>prepend_scheme</c>), the Unigram
/// model (pieces, scores, <c>unk_id</c>, <c>byte_fallback</c>), the post-processor's start and end tokens and the added tokens;
/// anything else is refused with the part it cannot read.
/// </remarks>
internal static class UnigramTokenizerLoader
{
    /// <summary>Loads the tokenizer.</summary>
    /// <param name="path">The <c>tokenizer.json</c> file.</param>
    /// <param name="configuration">The folder's <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>, for the padding token.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="InvalidModelFileException">The file is malformed or holds a part this tokenizer does not implement.</exception>
    public static UnigramTokenizer Load(string path, TokenizerConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        using JsonDocument document = TokenizerJson.Parse(path);
        JsonElement root = TokenizerJson.RequireObject(path, document.RootElement, "the file");
        JsonElement model = root.TryGetProperty("model", out JsonElement modelElement)
            ? TokenizerJson.RequireObject(path, modelElement, "\"model\"")
            : throw TokenizerJson.Invalid(path, "it has no \"model\".");

        List<(string Piece, double Score)> pieces = ReadPieces(path, model);
        int unknownId = TokenizerJson.GetOptionalCount(path, model, "unk_id")
            ?? throw TokenizerJson.Invalid(path, "its Unigram model has no \"unk_id\", so text outside the vocabulary has no token.");
        if (unknownId >= pieces.Count)
        {
            throw TokenizerJson.Invalid(path, $"its \"unk_id\" {unknownId} is outside the vocabulary of {pieces.Count} pieces.");
        }

        var unigram = new UnigramModel(pieces, unknownId, TokenizerJson.GetOptionalBoolean(path, model, "byte_fallback") ?? false);

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        var leftStrip = new List<int>();
        var rightStrip = new List<int>();
        if (root.TryGetProperty("added_tokens", out JsonElement addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement token in addedTokens.EnumerateArray())
            {
                ReadAddedToken(path, token, unigram, added, leftStrip, rightStrip);
            }
        }

        (string? first, string? last) = WordPieceTokenizerLoader.ReadPostProcessorTokens(path, root);
        if (first is null || last is null)
        {
            throw TokenizerJson.Invalid(
                path,
                "its post-processor does not put one special token before and one after the text (TemplateProcessing \"<s> $A </s>\" or RobertaProcessing).");
        }

        string padToken = configuration.GetSpecialToken("pad_token")
            ?? (root.TryGetProperty("padding", out JsonElement padding) && padding.ValueKind == JsonValueKind.Object
                ? TokenizerJson.GetOptionalString(path, padding, "pad_token")
                : null)
            ?? "<pad>";

        return new UnigramTokenizer(
            unigram,
            new UnigramNormalizer(ReadNormalizer(path, root.TryGetProperty("normalizer", out JsonElement normalizer) ? normalizer : default)),
            ReadMetaspace(path, root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer) ? preTokenizer : default),
            new AddedTokenMatcher(added),
            leftStrip,
            rightStrip,
            (RequireId(path, first, unigram, added), RequireId(path, last, unigram, added), RequireId(path, padToken, unigram, added)),
            path);
    }

    private static List<(string Piece, double Score)> ReadPieces(string path, JsonElement model)
    {
        string? type = TokenizerJson.GetOptionalString(path, model, "type");
        if (type != "Unigram")
        {
            throw TokenizerJson.Invalid(path, $"its model type is '{type ?? "(none)"}', not 'Unigram'.");
        }

        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Array)
        {
            throw TokenizerJson.Invalid(path, "its Unigram model has no \"vocab\" array.");
        }

        var pieces = new List<(string, double)>(vocab.GetArrayLength());
        foreach (JsonElement entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[0].ValueKind != JsonValueKind.String
                || entry[1].ValueKind != JsonValueKind.Number)
            {
                throw TokenizerJson.Invalid(path, $"the vocabulary entry {pieces.Count} is not a [piece, score] pair.");
            }

            pieces.Add((entry[0].GetString()!, entry[1].GetDouble()));
        }

        return pieces.Count > 0 ? pieces : throw TokenizerJson.Invalid(path, "its vocabulary is empty.");
    }

    private static void ReadAddedToken(
        string path, JsonElement token, UnigramModel model, Dictionary<string, int> added, List<int> leftStrip, List<int> rightStrip)
    {
        AddedTokenEntry entry = TokenizerJson.ReadAddedToken(path, token, null);
        if (entry.SingleWord)
        {
            throw TokenizerJson.Invalid(path, $"its added token '{entry.Content}' is \"single_word\": true, which this tokenizer does not implement.");
        }

        // A token matched in normalized text is matched in the raw text instead, which is the same only when the normalizer leaves it as it is.
        if (entry.Normalized && !entry.Content.All(c => char.IsAscii(c) && !char.IsWhiteSpace(c) && !char.IsControl(c)))
        {
            throw TokenizerJson.Invalid(
                path,
                $"its added token '{entry.Content}' is \"normalized\": true and not plain printable ASCII; only tokens matched in the raw text are supported.");
        }

        int id = entry.Id ?? (model.Find(entry.Content) is >= 0 and int found
            ? found
            : throw TokenizerJson.Invalid(path, $"its added token '{entry.Content}' has no id."));
        added[entry.Content] = id;
        if (TokenizerJson.GetOptionalBoolean(path, token, "lstrip") == true)
        {
            leftStrip.Add(id);
        }

        if (TokenizerJson.GetOptionalBoolean(path, token, "rstrip") == true)
        {
            rightStrip.Add(id);
        }
    }

    // An added token's id wins over the vocabulary's, as in HuggingFace's token_to_id.
    private static int RequireId(string path, string token, UnigramModel model, Dictionary<string, int> added) =>
        added.TryGetValue(token, out int id) || (id = model.Find(token)) >= 0
            ? id
            : throw TokenizerJson.Invalid(path, $"its special token '{token}' is neither in the vocabulary nor an added token.");

    private static List<UnigramNormalizerStep> ReadNormalizer(string path, JsonElement normalizer)
    {
        var steps = new List<UnigramNormalizerStep>();
        if (normalizer.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            AddNormalizer(path, TokenizerJson.RequireObject(path, normalizer, "\"normalizer\""), steps);
        }

        return steps;
    }

    private static void AddNormalizer(string path, JsonElement normalizer, List<UnigramNormalizerStep> steps)
    {
        string? type = TokenizerJson.GetOptionalString(path, normalizer, "type");
        switch (type)
        {
            case "Sequence":
                if (!normalizer.TryGetProperty("normalizers", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw TokenizerJson.Invalid(path, "its normalizer Sequence has no \"normalizers\" array.");
                }

                foreach (JsonElement inner in list.EnumerateArray())
                {
                    AddNormalizer(path, TokenizerJson.RequireObject(path, inner, "a normalizer"), steps);
                }

                break;
            case "Precompiled":
                string? charsmap = TokenizerJson.GetOptionalString(path, normalizer, "precompiled_charsmap");
                if (!string.IsNullOrEmpty(charsmap))
                {
                    steps.Add(UnigramNormalizerStep.Precompiled(PrecompiledCharsmap.TryCreate(DecodeBase64(path, charsmap))
                        ?? throw TokenizerJson.Invalid(path, "its Precompiled normalizer's \"precompiled_charsmap\" is not a SentencePiece charsmap.")));
                }

                break;
            case "Replace":
                steps.Add(ReadReplace(path, normalizer));
                break;
            case "Strip":
                steps.Add(UnigramNormalizerStep.Strip(
                    TokenizerJson.GetOptionalBoolean(path, normalizer, "strip_left") ?? true,
                    TokenizerJson.GetOptionalBoolean(path, normalizer, "strip_right") ?? true));
                break;
            case "NFC" or "NFD" or "NFKC" or "NFKD":
                steps.Add(UnigramNormalizerStep.Unicode(type switch
                {
                    "NFC" => NormalizationForm.FormC,
                    "NFD" => NormalizationForm.FormD,
                    "NFKC" => NormalizationForm.FormKC,
                    _ => NormalizationForm.FormKD,
                }));
                break;
            default:
                throw TokenizerJson.Invalid(
                    path,
                    $"its normalizer '{type ?? "(none)"}' is not implemented for Unigram models (supported: Sequence, Precompiled, Replace, Strip, NFC, NFD, NFKC, NFKD).");
        }
    }

    private static byte[] DecodeBase64(string path, string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw TokenizerJson.Invalid(path, "its Precompiled normalizer's \"precompiled_charsmap\" is not base64.");
        }
    }

    private static UnigramNormalizerStep ReadReplace(string path, JsonElement normalizer)
    {
        string content = TokenizerJson.GetOptionalString(path, normalizer, "content") ?? string.Empty;
        if (normalizer.TryGetProperty("pattern", out JsonElement pattern) && pattern.ValueKind == JsonValueKind.Object)
        {
            if (TokenizerJson.GetOptionalString(path, pattern, "String") is { Length: > 0 } literal)
            {
                return UnigramNormalizerStep.ReplaceString(literal, content);
            }

            if (TokenizerJson.GetOptionalString(path, pattern, "Regex") is { Length: > 0 } expression)
            {
                try
                {
                    return UnigramNormalizerStep.ReplaceRegex(new Regex(expression, RegexOptions.CultureInvariant | RegexOptions.Compiled), content);
                }
                catch (ArgumentException exception)
                {
                    throw TokenizerJson.Invalid(path, $"its Replace normalizer's pattern '{expression}' is not a regular expression .NET reads ({exception.Message}).");
                }
            }
        }

        throw TokenizerJson.Invalid(path, "its Replace normalizer has no \"pattern\" with a non-empty \"String\" or \"Regex\".");
    }

    private static (char Replacement, MetaspacePrependScheme PrependScheme, bool Split) ReadMetaspace(string path, JsonElement preTokenizer)
    {
        string? type = preTokenizer.ValueKind == JsonValueKind.Object ? TokenizerJson.GetOptionalString(path, preTokenizer, "type") : null;
        if (type == "Sequence" && preTokenizer.TryGetProperty("pretokenizers", out JsonElement list) && list.ValueKind == JsonValueKind.Array
            && list.GetArrayLength() == 1)
        {
            return ReadMetaspace(path, list[0]);
        }

        if (type != "Metaspace")
        {
            throw TokenizerJson.Invalid(path, $"its pre-tokenizer is '{type ?? "(none)"}', not 'Metaspace', which Unigram models use.");
        }

        string replacement = TokenizerJson.GetOptionalString(path, preTokenizer, "replacement") ?? "\u2581";
        if (replacement.Length != 1)
        {
            throw TokenizerJson.Invalid(path, $"its Metaspace replacement '{replacement}' is not one UTF-16 character.");
        }

        // tokenizers 0.19 replaced add_prefix_space with prepend_scheme; files of both kinds are on the hub.
        MetaspacePrependScheme scheme = TokenizerJson.GetOptionalString(path, preTokenizer, "prepend_scheme") switch
        {
            "always" => MetaspacePrependScheme.Always,
            "first" => MetaspacePrependScheme.First,
            "never" => MetaspacePrependScheme.Never,
            null => TokenizerJson.GetOptionalBoolean(path, preTokenizer, "add_prefix_space") == false
                ? MetaspacePrependScheme.Never
                : MetaspacePrependScheme.Always,
            string other => throw TokenizerJson.Invalid(path, $"its Metaspace prepend_scheme '{other}' is not 'always', 'first' or 'never'."),
        };
        return (replacement[0], scheme, TokenizerJson.GetOptionalBoolean(path, preTokenizer, "split") ?? true);
    }
}
