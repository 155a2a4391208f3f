// The seed's model service on port 8002, built on SentenceEmbeddings: see EmbeddingServiceApp.
await using Microsoft.AspNetCore.Builder.WebApplication app = EmbeddingService.EmbeddingServiceApp.Build(args);
await app.RunAsync();
