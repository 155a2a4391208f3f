using System.CommandLine;
using Microsoft.Extensions.AI;

namespace SentenceEmbeddings.Cli.Commands;

/// <summary>The <c>--long-text</c> option shared by <c>embed</c> and <c>similarity</c>.</summary>
internal static class LongTextOption
{
    /// <summary>The mode that embeds long texts in chunks.</summary>
    public const string Chunk = "chunk";

    /// <summary>Creates the option; System.CommandLine rejects any other value, naming the allowed ones.</summary>
    public static Option<string> Create()
    {
        var option = new Option<string>("--long-text")
        {
            Description = "What to do with a text longer than the model's max_seq_length: truncate (as sentence-transformers), chunk (token-weighted mean of overlapping windows), error.",
            DefaultValueFactory = _ => "truncate",
        };
        option.AcceptOnlyFromAmong("truncate", Chunk, "error");
        return option;
    }

    /// <summary>Returns the call options that ask for the mode.</summary>
    public static EmbeddingGenerationOptions CallOptions(string mode) =>
        new() { AdditionalProperties = new() { [SentenceEmbeddingGenerator.LongTextPropertyName] = mode } };
}
