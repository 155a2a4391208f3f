namespace SentenceEmbeddings.Batching;

/// <summary>A run of consecutive entries in a length-sorted order that go through the model together.</summary>
/// <param name="Start">The first entry of the run in the sorted order.</param>
/// <param name="Count">The number of texts in the batch.</param>
/// <param name="SequenceLength">The padded length: the longest text's token count.</param>
internal readonly record struct Batch(int Start, int Count, int SequenceLength);
