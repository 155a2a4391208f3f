using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SentenceEmbeddings.Benchmarks.Corpus).Assembly).Run(args);
