using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>Checks that the tokenizer factory picks WordPiece or Unigram from a folder's files and names the files when it cannot.</summary>
public sealed class TokenizerLoaderTests
{
    // The head of an XLM-R tokenizer.json; only model.type matters to the loader.
    private const string UnigramTokenizerJson = """{ "version": "1.0", "pre_tokenizer": { "type": "Metaspace" }, "model": { "type": "Unigram", "unk_id": 3, "vocab": [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]] } }""";

    private static readonly string SentencePieceModel = Path.Combine(AppContext.BaseDirectory, "assets", "sentencepiece", "unigram-4k.model");

    [Fact]
    public void Load_WordPieceTokenizerJson_GivesWordPiece() =>
        Assert.IsType<WordPieceTokenizer>(TokenizerLoader.Load(TokenizationAssets.MiniLMDirectory));

    [Fact]
    public void Load_VocabularyFileOnly_GivesWordPiece()
    {
        using var folder = new TempDirectory();
        File.Copy(Path.Combine(TokenizationAssets.MiniLMDirectory, "vocab.txt"), Path.Combine(folder.Path, "vocab.txt"));

        Assert.IsType<WordPieceTokenizer>(TokenizerLoader.Load(folder.Path));
    }

    [Fact]
    public void Load_SentencePieceModelOnly_GivesUnigram()
    {
        using var folder = new TempDirectory();
        File.Copy(SentencePieceModel, Path.Combine(folder.Path, "sentencepiece.bpe.model"));

        ISentenceTokenizer tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.IsType<XlmRobertaUnigramTokenizer>(tokenizer);
        Assert.Equal(1, tokenizer.PadId);
    }

    [Fact]
    public void Load_UnigramTokenizerJsonWithSentencePieceModel_TheJsonDecides()
    {
        using var folder = new TempDirectory();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "sentencepiece", "unigram-4k.tokenizer-current.json"), Path.Combine(folder.Path, "tokenizer.json"));
        File.Copy(SentencePieceModel, Path.Combine(folder.Path, "sentencepiece.bpe.model"));

        ISentenceTokenizer tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.IsType<UnigramTokenizer>(tokenizer);
        Assert.Equal(Path.Combine(folder.Path, "tokenizer.json"), tokenizer.SourcePath);
    }

    [Fact]
    public void Load_UnigramTokenizerJsonAlone_GivesUnigramWithFairseqSpecials()
    {
        using var folder = new TempDirectory();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "sentencepiece", "unigram-4k.tokenizer-2021.json"), Path.Combine(folder.Path, "tokenizer.json"));

        UnigramTokenizer tokenizer = Assert.IsType<UnigramTokenizer>(TokenizerLoader.Load(folder.Path));

        Assert.Equal((0, 2, 1, 3, 4002), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId, tokenizer.UnknownId, tokenizer.VocabularySize));
    }

    [Fact]
    public void Load_UnigramTokenizerJsonWithoutPostProcessor_ThrowsInvalidModelFileNamingIt()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), UnigramTokenizerJson);

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Equal(Path.Combine(folder.Path, "tokenizer.json"), exception.FilePath);
        Assert.Contains("post-processor", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BpeTokenizerJson_ThrowsInvalidModelFile()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), """{ "model": { "type": "BPE", "vocab": {}, "merges": [] } }""");

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Contains("BPE", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_VocabularyAndSentencePieceWithoutTokenizerJson_ThrowsInvalidModelFileNamingBoth()
    {
        using var folder = new TempDirectory();
        File.Copy(Path.Combine(TokenizationAssets.MiniLMDirectory, "vocab.txt"), Path.Combine(folder.Path, "vocab.txt"));
        File.Copy(SentencePieceModel, Path.Combine(folder.Path, "sentencepiece.bpe.model"));

        InvalidModelFileException exception = Assert.Throws<InvalidModelFileException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Contains("vocab.txt", exception.Message, StringComparison.Ordinal);
        Assert.Contains("sentencepiece.bpe.model", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFolder_ThrowsFileNotFoundNamingTheFilesThatBelongThere()
    {
        using var folder = new TempDirectory();

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Contains("tokenizer.json", exception.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.txt", exception.Message, StringComparison.Ordinal);
        Assert.Contains("sentencepiece.bpe.model", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFolder_ThrowsFileNotFound()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));

        Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(missing));
    }
}
