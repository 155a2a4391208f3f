namespace SentenceEmbeddings.Tokenization;

/// <summary>When HuggingFace's Metaspace pre-tokenizer puts its replacement character in front of a text part.</summary>
internal enum MetaspacePrependScheme
{
    /// <summary>Before every part that does not start with it (<c>"always"</c>, or the older <c>add_prefix_space: true</c>).</summary>
    Always,

    /// <summary>Only before the part at the start of the text (<c>"first"</c>).</summary>
    First,

    /// <summary>Never (<c>"never"</c>, or <c>add_prefix_space: false</c>).</summary>
    Never,
}
