using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace SentenceEmbeddings.Quantization;

/// <summary>Replaces each BERT self-attention block of an exported graph with one com.microsoft <c>Attention</c> node, the fusion ONNX Runtime's own optimiser does not find in these exports.</summary>
/// <remarks>
/// The block matched is the one PyTorch exports for BERT-style encoders:
/// <c>Q, K, V = x·W + b</c> → Reshape → Transpose → <c>Q·Kᵀ / √d + mask</c> → Softmax → <c>·V</c> → Transpose → Reshape.
/// The three weights become one <c>[D, 3H]</c> matrix and the mask term becomes the raw 0/1 mask as int32, which
/// <c>Attention</c> (and <c>QAttention</c>) take as a 2-D <c>mask_index</c>. A block that differs in any way is left as it is.
/// </remarks>
internal static class AttentionFusion
{
    /// <summary>The domain of ONNX Runtime's contrib operators.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    private const string AttentionMaskInput = "attention_mask";

    /// <summary>Fuses the attention blocks of the model's graph in place.</summary>
    /// <param name="model">The model whose graph is rewritten; its opset imports gain com.microsoft when a block is fused.</param>
    /// <returns>The number of blocks fused.</returns>
    public static int Fuse(ModelProto model)
    {
        GraphProto graph = model.Graph;
        if (!graph.Input.Any(i => i.Name == AttentionMaskInput))
        {
            return 0;
        }

        var names = new GraphNames(graph);
        Dictionary<string, NodeProto> producers = [];
        Dictionary<string, List<NodeProto>> consumers = [];
        foreach (NodeProto node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                producers[output] = node;
            }

            foreach (string input in node.Input)
            {
                if (!consumers.TryGetValue(input, out List<NodeProto>? list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        var initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var graphInputs = new HashSet<string>(graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        var matcher = new Matcher(producers, consumers, initializers, graphInputs);

        string? maskIndex = null;
        var replacements = new Dictionary<NodeProto, NodeProto>();
        foreach (NodeProto softmax in graph.Node.Where(n => n.OpType == "Softmax" && IsDefaultDomain(n)).ToList())
        {
            if (matcher.Match(softmax) is not { } block)
            {
                continue;
            }

            maskIndex ??= names.Unique("attention_mask_int32");
            string prefix = names.Unique(block.Output + "_attention");
            string weight = AddFloatInitializer(graph, names.Unique(prefix + "_qkv_weight"), [block.InputSize, 3 * block.HiddenSize], ConcatColumns(block.Weights, block.InputSize, block.HiddenSize));
            string bias = AddFloatInitializer(graph, names.Unique(prefix + "_qkv_bias"), [3 * block.HiddenSize], [.. block.Biases.SelectMany(b => b)]);
            NodeProto attention = new()
            {
                OpType = "Attention",
                Domain = MicrosoftDomain,
                Name = prefix,
                Input = { block.Input, weight, bias, maskIndex },
                Output = { block.Output },
            };
            attention.Attribute.Add(new AttributeProto { Name = "num_heads", Type = AttributeProto.Types.AttributeType.Int, I = block.Heads });
            replacements[block.OutputNode] = attention;
        }

        if (replacements.Count == 0)
        {
            return 0;
        }

        NodeProto cast = new() { OpType = "Cast", Name = names.Unique("attention_mask_cast"), Input = { AttentionMaskInput }, Output = { maskIndex! } };
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Int32 });
        var nodes = new List<NodeProto>(graph.Node.Count) { cast };
        nodes.AddRange(graph.Node.Select(n => replacements.TryGetValue(n, out NodeProto? fused) ? fused : n));
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        RemoveDeadNodes(graph);
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return replacements.Count;
    }

    /// <summary>Gets whether a node is in the default ONNX domain.</summary>
    public static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    /// <summary>Reads a float tensor's values, raw or typed.</summary>
    public static float[] ReadFloats(TensorProto tensor)
    {
        if (!tensor.HasRawData)
        {
            return [.. tensor.FloatData];
        }

        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        float[] values = new float[raw.Length / sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
            return values;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }

        return values;
    }

    /// <summary>Adds a float initializer and returns its name.</summary>
    public static string AddFloatInitializer(GraphProto graph, string name, long[] dims, float[] values)
    {
        byte[] raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, Dims = { dims }, RawData = ByteString.CopyFrom(raw) });
        return name;
    }

    private static float[] ConcatColumns(float[][] weights, int rows, int columns)
    {
        float[] result = new float[rows * columns * weights.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int w = 0; w < weights.Length; w++)
            {
                weights[w].AsSpan(r * columns, columns).CopyTo(result.AsSpan((r * columns * weights.Length) + (w * columns)));
            }
        }

        return result;
    }

    /// <summary>Drops nodes none of whose outputs is read by another node or the graph (the replaced blocks' Reshapes, Shapes and mask chain).</summary>
    private static void RemoveDeadNodes(GraphProto graph)
    {
        var live = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            NodeProto node = graph.Node[i];
            bool hasSubgraph = node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0);
            if (hasSubgraph || node.Output.Any(live.Contains))
            {
                kept.Add(node);
                live.UnionWith(node.Input);
            }
        }

        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
    }

    /// <summary>One matched attention block.</summary>
    private sealed record Block(string Input, string Output, NodeProto OutputNode, float[][] Weights, float[][] Biases, int InputSize, int HiddenSize, long Heads);

    /// <summary>Follows one attention block's edges from its Softmax.</summary>
    private sealed class Matcher(
        Dictionary<string, NodeProto> producers,
        Dictionary<string, List<NodeProto>> consumers,
        Dictionary<string, TensorProto> initializers,
        HashSet<string> graphInputs)
    {
        public Block? Match(NodeProto softmax)
        {
            if (Producer(softmax.Input[0], "Add") is not { } maskAdd)
            {
                return null;
            }

            // Either input of the Add may be the scaled scores; the other must depend on attention_mask alone.
            foreach ((string scoresName, string maskName) in (ReadOnlySpan<(string, string)>)[(maskAdd.Input[0], maskAdd.Input[1]), (maskAdd.Input[1], maskAdd.Input[0])])
            {
                if (MatchScores(scoresName) is { } scores && DependsOnMaskOnly(maskName) && MatchContext(softmax, scores) is { } block)
                {
                    return block;
                }
            }

            return null;
        }

        private (string Query, string Key, float HeadSize)? MatchScores(string name)
        {
            if (!producers.TryGetValue(name, out NodeProto? scale) || !IsDefaultDomain(scale) || scale.OpType is not ("Div" or "Mul")
                || ScalarConstant(scale.Input[1]) is not { } factor || factor <= 0
                || Producer(scale.Input[0], "MatMul") is not { } product)
            {
                return null;
            }

            float sqrtHeadSize = scale.OpType == "Div" ? factor : 1f / factor;
            return (product.Input[0], product.Input[1], sqrtHeadSize * sqrtHeadSize);
        }

        private Block? MatchContext(NodeProto softmax, (string Query, string Key, float HeadSize) scores)
        {
            if (!consumers.TryGetValue(softmax.Output[0], out List<NodeProto>? readers) || readers is not [{ OpType: "MatMul" } context] || context.Input[0] != softmax.Output[0]
                || SingleConsumer(context.Output[0], "Transpose") is not { } merge || !HasPerm(merge, [0, 2, 1, 3])
                || consumers[merge.Output[0]].Where(n => n.OpType != "Shape").ToList() is not [{ OpType: "Reshape" } reshape]
                || Projection(scores.Query, [0, 2, 1, 3]) is not { } query
                || Projection(scores.Key, [0, 2, 3, 1]) is not { } key
                || Projection(context.Input[1], [0, 2, 1, 3]) is not { } value
                || query.Input != key.Input || query.Input != value.Input)
            {
                return null;
            }

            int inputSize = (int)query.Weight.Dims[0];
            int hidden = (int)query.Weight.Dims[1];
            int headSize = (int)MathF.Round(scores.HeadSize);
            if (MathF.Abs(scores.HeadSize - headSize) > 1e-3f * headSize || headSize <= 0 || hidden % headSize != 0
                || (ReadOnlySpan<TensorProto>)[key.Weight, value.Weight] is not [{ } k, { } v]
                || k.Dims[0] != inputSize || k.Dims[1] != hidden || v.Dims[0] != inputSize || v.Dims[1] != hidden)
            {
                return null;
            }

            float[][] biases = [ReadFloats(query.Bias), ReadFloats(key.Bias), ReadFloats(value.Bias)];
            if (biases.Any(b => b.Length != hidden))
            {
                return null;
            }

            return new Block(query.Input, reshape.Output[0], reshape, [ReadFloats(query.Weight), ReadFloats(key.Weight), ReadFloats(value.Weight)], biases, inputSize, hidden, hidden / headSize);
        }

        /// <summary>Matches <c>Transpose(perm, Reshape(Add(b, MatMul(x, W))))</c> with constant <c>W</c> and <c>b</c>.</summary>
        private (string Input, TensorProto Weight, TensorProto Bias)? Projection(string name, long[] perm)
        {
            if (Producer(name, "Transpose") is not { } transpose || !HasPerm(transpose, perm)
                || Producer(transpose.Input[0], "Reshape") is not { } reshape
                || Producer(reshape.Input[0], "Add") is not { } add)
            {
                return null;
            }

            foreach ((string productName, string biasName) in (ReadOnlySpan<(string, string)>)[(add.Input[0], add.Input[1]), (add.Input[1], add.Input[0])])
            {
                if (Producer(productName, "MatMul") is { } product && Constant(product.Input[1]) is { Dims.Count: 2 } weight && Constant(biasName) is { Dims.Count: 1 } bias)
                {
                    return (product.Input[0], weight, bias);
                }
            }

            return null;
        }

        /// <summary>Whether a value is computed from the attention_mask input and constants only.</summary>
        private bool DependsOnMaskOnly(string name)
        {
            var pending = new Stack<string>([name]);
            bool seenMask = false;
            var visited = new HashSet<string>(StringComparer.Ordinal);
            while (pending.TryPop(out string? current))
            {
                if (!visited.Add(current) || current.Length == 0 || initializers.ContainsKey(current) && !graphInputs.Contains(current))
                {
                    continue;
                }

                if (current == AttentionMaskInput)
                {
                    seenMask = true;
                    continue;
                }

                if (graphInputs.Contains(current) || !producers.TryGetValue(current, out NodeProto? node) || node.OpType is not ("Unsqueeze" or "Cast" or "Sub" or "Mul" or "Constant" or "Reshape" or "Expand"))
                {
                    return false;
                }

                foreach (string input in node.Input)
                {
                    pending.Push(input);
                }
            }

            return seenMask;
        }

        private NodeProto? Producer(string name, string opType) =>
            producers.TryGetValue(name, out NodeProto? node) && node.OpType == opType && IsDefaultDomain(node) ? node : null;

        private NodeProto? SingleConsumer(string name, string opType) =>
            consumers.TryGetValue(name, out List<NodeProto>? readers) && readers is [{ } node] && node.OpType == opType && IsDefaultDomain(node) ? node : null;

        private TensorProto? Constant(string name) =>
            initializers.TryGetValue(name, out TensorProto? tensor) && !graphInputs.Contains(name) && tensor.DataType == (int)TensorProto.Types.DataType.Float ? tensor : null;

        private float? ScalarConstant(string name)
        {
            TensorProto? tensor = Constant(name);
            if (tensor is null && producers.TryGetValue(name, out NodeProto? node) && node.OpType == "Constant")
            {
                tensor = node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
            }

            return tensor is { DataType: (int)TensorProto.Types.DataType.Float } && tensor.Dims.Aggregate(1L, (a, b) => a * b) == 1 ? ReadFloats(tensor)[0] : null;
        }

        private static bool HasPerm(NodeProto transpose, long[] perm) =>
            transpose.Attribute.FirstOrDefault(a => a.Name == "perm") is { } attribute && attribute.Ints.SequenceEqual(perm);
    }

    /// <summary>The names used in a graph, to make new ones unique.</summary>
    private sealed class GraphNames
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public GraphNames(GraphProto graph)
        {
            foreach (NodeProto node in graph.Node)
            {
                _names.Add(node.Name);
                _names.UnionWith(node.Input);
                _names.UnionWith(node.Output);
            }

            _names.UnionWith(graph.Initializer.Select(t => t.Name));
            _names.UnionWith(graph.Input.Select(i => i.Name));
        }

        public string Unique(string name)
        {
            string candidate = name;
            for (int i = 1; !_names.Add(candidate); i++)
            {
                candidate = $"{name}_{i}";
            }

            return candidate;
        }
    }
}
