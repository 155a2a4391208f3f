using Onnx;
using SentenceEmbeddings.Quantization;

namespace SentenceEmbeddings.Tests.Quantization;

public sealed class AttentionFusionTests
{
    private static ModelProto LoadMiniLM() => ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(TestModels.MiniLM, "onnx", "model.onnx")));

    [Fact]
    public void Fuse_MiniLM_ReplacesEveryBlockAndDropsItsReshapesTransposesAndMaskChain()
    {
        ModelProto model = LoadMiniLM();

        Assert.Equal(6, AttentionFusion.Fuse(model));

        ILookup<string, NodeProto> byType = model.Graph.Node.ToLookup(n => n.OpType);
        Assert.Equal(6, byType["Attention"].Count());
        Assert.Empty(byType["Softmax"]);
        Assert.Empty(byType["Transpose"]);
        Assert.Empty(byType["Reshape"]);
        NodeProto cast = Assert.Single(byType["Cast"]);
        Assert.Equal(["attention_mask"], cast.Input);
        Assert.Equal((long)TensorProto.Types.DataType.Int32, cast.Attribute.Single(a => a.Name == "to").I);
        Dictionary<string, TensorProto> initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.All(byType["Attention"], n =>
        {
            Assert.Equal([384L, 1152L], initializers[n.Input[1]].Dims);
            Assert.Equal([1152L], initializers[n.Input[2]].Dims);
            Assert.Equal(cast.Output[0], n.Input[3]);
        });
    }

    [Fact]
    public void Fuse_MaskTermReadingAnotherInput_LeavesTheBlocksAsExported()
    {
        ModelProto model = LoadMiniLM();
        int nodes = model.Graph.Node.Count;

        // The mask term (shared by the six blocks) made to read input_ids, which a mask must not depend on.
        NodeProto softmax = model.Graph.Node.First(n => n.OpType == "Softmax");
        NodeProto add = model.Graph.Node.Single(n => n.Output.Contains(softmax.Input[0]));
        NodeProto mask = model.Graph.Node.Single(n => n.Output.Contains(add.Input[1]));
        mask.Input[0] = "input_ids";

        Assert.Equal(0, AttentionFusion.Fuse(model));
        Assert.Equal(nodes, model.Graph.Node.Count);
        Assert.Equal(6, model.Graph.Node.Count(n => n.OpType == "Softmax"));
    }

    [Fact]
    public void Fuse_ModelWithoutAttentionMask_FusesNothing()
    {
        ModelProto model = LoadMiniLM();
        int nodes = model.Graph.Node.Count;
        ValueInfoProto input = model.Graph.Input.Single(i => i.Name == "attention_mask");
        model.Graph.Input.Remove(input);

        Assert.Equal(0, AttentionFusion.Fuse(model));
        Assert.Equal(nodes, model.Graph.Node.Count);
    }
}
