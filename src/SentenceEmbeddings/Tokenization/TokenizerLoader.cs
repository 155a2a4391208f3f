using System.Text.Json;

namespace SentenceEmbeddings.Tokenization;

/// <summary>Picks and loads the tokenizer a model folder's files describe: WordPiece or XLM-RoBERTa SentencePiece Unigram.</summary>
/// <remarks>
/// <c>tokenizer.json</c> decides when present, because it is what HuggingFace's fast tokenizers (and so sentence-transformers) run:
/// WordPiece files go to <see cref="WordPieceTokenizer"/>, Unigram files to <see cref="UnigramTokenizer"/>, whether or not a
/// <c>sentencepiece.bpe.model</c> lies beside them. A folder with only <c>sentencepiece.bpe.model</c> falls back to
/// <see cref="XlmRobertaUnigramTokenizer"/>, which follows SentencePiece's <c>spm_encode</c> rather than HuggingFace.
/// </remarks>
internal static class TokenizerLoader
{
    private const string TokenizerJsonFileName = WordPieceTokenizerLoader.TokenizerJsonFileName;
    private const string VocabularyFileName = WordPieceTokenizerLoader.VocabularyFileName;
    private const string SentencePieceFileName = XlmRobertaUnigramTokenizer.ModelFileName;

    /// <summary>Loads the tokenizer of a model folder.</summary>
    /// <param name="modelDirectory">The folder with <c>tokenizer.json</c>, <c>vocab.txt</c> or <c>sentencepiece.bpe.model</c>.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The folder does not exist or has none of the tokenizer files.</exception>
    /// <exception cref="InvalidModelFileException">The files are malformed, describe an unsupported tokenizer, or contradict each other.</exception>
    public static ISentenceTokenizer Load(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        if (!Directory.Exists(modelDirectory))
        {
            throw new FileNotFoundException(
                $"The model folder '{modelDirectory}' does not exist, so there is no tokenizer to read. " + FilesAdvice,
                Path.Combine(modelDirectory, TokenizerJsonFileName));
        }

        string tokenizerJsonPath = Path.Combine(modelDirectory, TokenizerJsonFileName);
        string vocabularyPath = Path.Combine(modelDirectory, VocabularyFileName);
        string sentencePiecePath = Path.Combine(modelDirectory, SentencePieceFileName);
        bool hasSentencePiece = File.Exists(sentencePiecePath);

        if (File.Exists(tokenizerJsonPath))
        {
            string? modelType = ReadModelType(tokenizerJsonPath);
            if (modelType != "Unigram")
            {
                // WordPiece, or anything else, which the WordPiece loader rejects with the type it found.
                return WordPieceTokenizerLoader.Load(modelDirectory);
            }

            // The JSON decides even beside sentencepiece.bpe.model: it is what HuggingFace's fast tokenizer runs.
            return UnigramTokenizerLoader.Load(tokenizerJsonPath, TokenizerConfiguration.Read(modelDirectory));
        }

        bool hasVocabulary = File.Exists(vocabularyPath);
        if (hasVocabulary && hasSentencePiece)
        {
            throw new InvalidModelFileException(
                vocabularyPath,
                $"The model folder '{modelDirectory}' has both '{VocabularyFileName}' (WordPiece) and '{SentencePieceFileName}' (SentencePiece) and no "
                + $"'{TokenizerJsonFileName}' to say which one the model uses. Remove the file that does not belong to the model, or add its '{TokenizerJsonFileName}'.",
                null);
        }

        if (hasVocabulary)
        {
            return WordPieceTokenizerLoader.Load(modelDirectory);
        }

        if (hasSentencePiece)
        {
            return XlmRobertaUnigramTokenizer.Load(sentencePiecePath);
        }

        throw new FileNotFoundException(
            $"The model folder '{modelDirectory}' has no tokenizer file. " + FilesAdvice,
            tokenizerJsonPath);
    }

    private static string FilesAdvice =>
        $"A model folder needs '{TokenizerJsonFileName}', or '{VocabularyFileName}' (BERT/MPNet WordPiece), or '{SentencePieceFileName}' (XLM-RoBERTa SentencePiece), "
        + "as in the model's Hugging Face repository; download them with 'huggingface-cli download <model id> --local-dir <folder>'.";

    // Reads only model.type, skipping the rest of a file that can hold a 250,000-piece vocabulary.
    private static string? ReadModelType(string path)
    {
        using JsonDocument document = TokenizerJson.Parse(path);
        JsonElement root = TokenizerJson.RequireObject(path, document.RootElement, "the file");
        return root.TryGetProperty("model", out JsonElement model) && model.ValueKind == JsonValueKind.Object
            ? TokenizerJson.GetOptionalString(path, model, "type")
            : null;
    }
}
