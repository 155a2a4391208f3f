namespace SentenceEmbeddings.Indexing;

/// <summary>One result of an engine search: the entry's key, its score and its best row's range.</summary>
internal readonly record struct SearchHit(string Key, float Score, int Start, int End);
