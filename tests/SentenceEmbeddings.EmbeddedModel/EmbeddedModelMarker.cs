namespace SentenceEmbeddings.EmbeddedModel;

/// <summary>Touching this type loads the assembly that embeds the test model.</summary>
public static class EmbeddedModelMarker
{
    /// <summary>The model id the assembly embeds.</summary>
    public const string ModelId = "embedded-test/all-MiniLM-L6-v2";
}
