using System.CommandLine;
using SentenceEmbeddings.Cli.Commands;

var root = new RootCommand("Sentence embeddings in-process with ONNX Runtime: the vectors sentence-transformers gives, offline.")
{
    EmbedCommand.Create(),
    TokenizeCommand.Create(),
    DownloadCommand.Create(),
    ListCommand.CreateList(),
    ListCommand.CreateInfo(),
    SimilarityCommand.Create(),
    QuantizeCommand.Create(),
    IndexCommand.Create(),
    SearchCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
