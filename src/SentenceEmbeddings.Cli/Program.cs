using System.CommandLine;
using SentenceEmbeddings.Cli.Commands;

var root = new RootCommand("Sentence embeddings in-process with ONNX Runtime: the vectors sentence-transformers gives, offline.")
{
    EmbedCommand.Create(),
    TokenizeCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
