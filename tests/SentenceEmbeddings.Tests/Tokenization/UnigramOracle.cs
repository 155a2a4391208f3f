using SentenceEmbeddings.Tokenization;

namespace SentenceEmbeddings.Tests.Tokenization;

/// <summary>HuggingFace's Rust tokenizer (Tokenizers.DotNet) and our tokenizer, both loaded from a Unigram tokenizer.json converted from the test SentencePiece model.</summary>
/// <remarks>
/// The oracle gets each text stripped as sentence-transformers strips it (Python's <c>str.strip()</c>, written out here
/// independently of the library); our tokenizer gets it unstripped and must strip it itself.
/// </remarks>
internal sealed class UnigramOracle : IDisposable
{
    /// <summary>The converter styles of <c>make_tokenizer_json.py</c>.</summary>
    public static readonly string[] Styles = ["2021", "current"];

    // Python's str.isspace set.
    private const string PythonWhitespace =
        "\t\n\u000B\u000C\r\u001C\u001D\u001E\u001F \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

    private readonly Tokenizers.DotNet.Tokenizer _oracle;
    private readonly long[] _ids = new long[200_000];

    private UnigramOracle(string style, bool withSentencePieceModel)
    {
        Folder = new TempDirectory();
        File.Copy(JsonPath(style), Path.Combine(Folder.Path, "tokenizer.json"));
        if (withSentencePieceModel)
        {
            File.Copy(ModelPath, Path.Combine(Folder.Path, XlmRobertaUnigramTokenizer.ModelFileName));
        }

        _oracle = new Tokenizers.DotNet.Tokenizer(Path.Combine(Folder.Path, "tokenizer.json"));
        Tokenizer = TokenizerLoader.Load(Folder.Path);
    }

    public static string AssetDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "assets", "sentencepiece");

    public static string ModelPath { get; } = Path.Combine(AssetDirectory, "unigram-4k.model");

    /// <summary>Gets the folder that holds tokenizer.json (and, when asked for, sentencepiece.bpe.model).</summary>
    public TempDirectory Folder { get; }

    /// <summary>Gets our tokenizer, loaded from the folder as the library loads any model folder.</summary>
    public ISentenceTokenizer Tokenizer { get; }

    public static string JsonPath(string style) => Path.Combine(AssetDirectory, $"unigram-4k.tokenizer-{style}.json");

    public static UnigramOracle Create(string style, bool withSentencePieceModel = false) => new(style, withSentencePieceModel);

    public static string PythonStrip(string text) => text.Trim(PythonWhitespace.ToCharArray());

    /// <summary>Gets the ids HuggingFace gives the stripped text: &lt;s&gt;, every text token, &lt;/s&gt;.</summary>
    public long[] Expected(string text) => [.. _oracle.Encode(PythonStrip(text)).Select(id => (long)id)];

    /// <summary>Gets our ids with room for 200,000, so nothing is truncated.</summary>
    public long[] Actual(string text) => Actual(Tokenizer, text, _ids, out _);

    public static long[] Actual(ISentenceTokenizer tokenizer, string text, long[] buffer, out bool truncated)
    {
        int count = tokenizer.Encode(text, buffer, out truncated);
        return buffer[..count];
    }

    /// <summary>Compares every text and describes the first mismatches.</summary>
    public (int Count, string Report) Compare(IEnumerable<string> texts, int shown = 5) => HuggingFaceOracle.Compare(texts, Expected, Actual, shown);

    public void Dispose()
    {
        _oracle.Dispose();
        Folder.Dispose();
    }
}
