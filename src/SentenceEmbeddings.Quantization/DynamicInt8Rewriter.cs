using Google.Protobuf;
using Onnx;

namespace SentenceEmbeddings.Quantization;

/// <summary>Rewrites an ONNX graph so that its MatMul and Gemm nodes with constant weights run as dynamic int8 matrix products.</summary>
/// <remarks>
/// Each such node <c>Y = A · W</c> becomes
/// <c>DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_q, A_zp, W_zp) → Cast(float) → Mul(A_scale · W_scale)</c>,
/// with <c>W</c> stored as symmetric int8 (zero point 0) and one scale per output column (or one for the tensor).
/// ONNX Runtime's CPU provider fuses the chain into its int8 kernels (DynamicQuantizeMatMul). Everything else, the
/// embedding Gathers and the attention products of two activations included, stays fp32. See docs/quantization.md.
/// </remarks>
internal sealed class DynamicInt8Rewriter
{
    private const string DefaultDomain = "";
    private const long MinimumOpset = 11;
    private const string AttentionMaskInput = "attention_mask";

    private readonly GraphProto _graph;
    private readonly bool _perChannel;
    private readonly bool _reduceRange;
    private readonly AttentionQuantization _attention;
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly HashSet<string> _graphInputs;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Weight, string Scale, string ZeroPoint)> _quantizedWeights = new(StringComparer.Ordinal);
    private string? _paddingTest;

    private DynamicInt8Rewriter(GraphProto graph, bool perChannel, bool reduceRange, AttentionQuantization attention)
    {
        _attention = attention;
        _graph = graph;
        _perChannel = perChannel;
        _reduceRange = reduceRange;
        _initializers = graph.Initializer.Where(t => t.HasName).GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        _graphInputs = [.. graph.Input.Select(i => i.Name)];
        foreach (NodeProto node in graph.Node)
        {
            _names.Add(node.Name);
            _names.UnionWith(node.Input);
            _names.UnionWith(node.Output);
        }

        _names.UnionWith(_initializers.Keys);
        _names.UnionWith(_graphInputs);
    }

    /// <summary>Quantizes the model's constant-weight MatMul and Gemm nodes in place.</summary>
    /// <param name="model">The model to rewrite.</param>
    /// <param name="path">The model file's path, for messages.</param>
    /// <param name="perChannel">Whether each output column gets its own scale.</param>
    /// <param name="reduceRange">Whether weights use 7 bits (−64…63) so that uint8 × int8 products cannot saturate 16-bit sums.</param>
    /// <param name="attention">What becomes of com.microsoft <c>Attention</c> nodes: <c>QAttention</c>, int8 products into <c>MultiHeadAttention</c>
    /// (<see cref="AttentionQuantization.Flash"/>), or nothing (<see cref="AttentionQuantization.FusedFp32"/>; <see cref="AttentionQuantization.Unfused"/> has none).</param>
    /// <returns>The number of nodes quantized.</returns>
    /// <exception cref="InvalidModelFileException">The model's opset is too old or its weights are stored outside the file.</exception>
    public static int Rewrite(ModelProto model, string path, bool perChannel, bool reduceRange, AttentionQuantization attention)
    {
        OperatorSetIdProto? opset = model.OpsetImport.FirstOrDefault(o => !o.HasDomain || o.Domain is DefaultDomain or "ai.onnx");
        if (opset is null || opset.Version < MinimumOpset)
        {
            throw new InvalidModelFileException(
                path,
                $"'{path}' imports ONNX opset {opset?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; int8 quantization needs opset {MinimumOpset} or later (DynamicQuantizeLinear). Export the model again with a newer opset.",
                null);
        }

        if (model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            throw new InvalidModelFileException(
                path,
                $"'{path}' keeps its weights in external data files, which the quantizer does not read. Save the model with its weights inside the .onnx file (files under 2 GB can).",
                null);
        }

        var rewriter = new DynamicInt8Rewriter(model.Graph, perChannel, reduceRange, attention);
        int count = rewriter.RewriteNodes();
        rewriter.RemoveUnusedInitializers();
        return count;
    }

    private int RewriteNodes()
    {
        var nodes = new List<NodeProto>(_graph.Node.Count * 2);
        int count = 0;
        foreach (NodeProto node in _graph.Node)
        {
            List<NodeProto>? replacement = (node.Domain, node.OpType, _attention) switch
            {
                (DefaultDomain or "ai.onnx", "MatMul", _) => RewriteMatMul(node),
                (DefaultDomain or "ai.onnx", "Gemm", _) => RewriteGemm(node),
                (AttentionFusion.MicrosoftDomain, "Attention", AttentionQuantization.QAttention) => RewriteAttention(node),
                (AttentionFusion.MicrosoftDomain, "Attention", AttentionQuantization.Flash) => RewriteAttentionAsMultiHead(node, nodes),
                _ => null,
            };
            if (replacement is null)
            {
                nodes.Add(node);
            }
            else
            {
                nodes.AddRange(replacement);
                count++;
            }
        }

        _graph.Node.Clear();
        _graph.Node.AddRange(nodes);
        return count;
    }

    private List<NodeProto>? RewriteMatMul(NodeProto node)
    {
        if (node.Input.Count != 2 || !TryGetConstantMatrix(node.Input[1], out TensorProto? weight))
        {
            return null;
        }

        (string weightName, string scaleName, string zeroPointName) = QuantizeWeight(weight, transpose: false, alpha: 1f);
        return QuantizedProduct(node, node.Input[0], weightName, scaleName, zeroPointName, node.Output[0]);
    }

    private List<NodeProto>? RewriteAttention(NodeProto node)
    {
        // Attention(x, W[D, 3H], b, mask) → QAttention(x_q, W_q, b, x_scale, W_scale, mask, x_zp, W_zp); QAttention has no past/bias-only variants here.
        if (node.Input.Count != 4 || !TryGetConstantMatrix(node.Input[1], out TensorProto? weight))
        {
            return null;
        }

        (string weightName, string scaleName, string zeroPointName) = QuantizeWeight(weight, transpose: false, alpha: 1f);
        string name = NodeName(node);
        string quantized = Unique(node.Output[0] + "_input_quantized");
        string inputScale = Unique(node.Output[0] + "_input_scale");
        string inputZeroPoint = Unique(node.Output[0] + "_input_zero_point");
        NodeProto attention = Node("QAttention", Unique(name + "_int8"), [quantized, weightName, node.Input[2], inputScale, scaleName, node.Input[3], inputZeroPoint, zeroPointName], [node.Output[0]]);
        attention.Domain = AttentionFusion.MicrosoftDomain;
        attention.Attribute.AddRange(node.Attribute.Select(a => a.Clone()));
        return
        [
            Node("DynamicQuantizeLinear", Unique(name + "_quantize_input"), [node.Input[0]], [quantized, inputScale, inputZeroPoint]),
            attention,
        ];
    }

    private List<NodeProto>? RewriteAttentionAsMultiHead(NodeProto node, List<NodeProto> nodesSoFar)
    {
        // Attention(x, W[D, 3H], b, mask) → Q, K, V = three int8 products of x (ONNX Runtime merges their input quantizations)
        // → If(mask all ones) then MultiHeadAttention(Q, K, V, b) else MultiHeadAttention(Q, K, V, b, mask). The CPU kernel runs
        // MLAS flash attention only without a mask input, and the mask-free node is right only when no token is padding.
        if (node.Input.Count != 4 || !TryGetConstantMatrix(node.Input[1], out TensorProto? weight) || weight.Dims[1] % 3 != 0 || MaskElementType() is null)
        {
            return null;
        }

        float[] values = AttentionFusion.ReadFloats(weight);
        int rows = (int)weight.Dims[0];
        int columns = (int)weight.Dims[1];
        int width = columns / 3;
        string output = node.Output[0];
        string[] projections = [Unique(output + "_query"), Unique(output + "_key"), Unique(output + "_value")];
        var nodes = new List<NodeProto>();
        for (int part = 0; part < 3; part++)
        {
            float[] slice = new float[rows * width];
            for (int r = 0; r < rows; r++)
            {
                values.AsSpan((r * columns) + (part * width), width).CopyTo(slice.AsSpan(r * width));
            }

            var partWeight = new TensorProto { Name = Unique(projections[part] + "_weight"), DataType = (int)TensorProto.Types.DataType.Float, Dims = { rows, width } };
            partWeight.FloatData.AddRange(slice);
            (string weightName, string scaleName, string zeroPointName) = QuantizeWeight(partWeight, transpose: false, alpha: 1f);
            nodes.AddRange(QuantizedProduct(node, node.Input[0], weightName, scaleName, zeroPointName, projections[part]));
        }

        GraphProto Branch(string suffix, bool masked)
        {
            string result = Unique(output + "_" + suffix);
            NodeProto attention = Node("MultiHeadAttention", Unique(NodeName(node) + "_" + suffix), masked ? [.. projections, node.Input[2], node.Input[3]] : [.. projections, node.Input[2]], [result]);
            attention.Domain = AttentionFusion.MicrosoftDomain;
            attention.Attribute.AddRange(node.Attribute.Where(a => a.Name is "num_heads" or "scale" or "mask_filter_value").Select(a => a.Clone()));
            var graph = new GraphProto { Name = Unique(NodeName(node) + "_" + suffix + "_graph"), Node = { attention } };
            graph.Output.Add(new ValueInfoProto { Name = result, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
            return graph;
        }

        NodeProto branch = Node("If", Unique(NodeName(node) + "_padding"), [PaddingTest(nodesSoFar)], [output]);
        branch.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch("flash", masked: false) });
        branch.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch("masked", masked: true) });
        nodes.Add(branch);
        return nodes;
    }

    private string PaddingTest(List<NodeProto> nodes)
    {
        if (_paddingTest is not null)
        {
            return _paddingTest;
        }

        string smallest = Unique("attention_mask_min");
        _paddingTest = Unique("attention_mask_all_ones");
        NodeProto min = Node("ReduceMin", Unique("attention_mask_reduce_min"), [AttentionMaskInput], [smallest]);
        min.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        nodes.Add(min);
        string one = Unique("attention_mask_one");
        int type = MaskElementType()!.Value;
        _graph.Initializer.Add(type == (int)TensorProto.Types.DataType.Int64
            ? new TensorProto { Name = one, DataType = type, Int64Data = { 1L } }
            : new TensorProto { Name = one, DataType = type, Int32Data = { 1 } });
        nodes.Add(Node("Equal", Unique("attention_mask_equal_one"), [smallest, one], [_paddingTest]));
        return _paddingTest;
    }

    /// <summary>Gets the element type of the graph's <c>attention_mask</c> input when it is int64 or int32 (the padding test compares it with 1); otherwise <see langword="null"/>.</summary>
    private int? MaskElementType() =>
        _graph.Input.FirstOrDefault(i => i.Name == AttentionMaskInput)?.Type?.TensorType?.ElemType is int type
        && type is (int)TensorProto.Types.DataType.Int64 or (int)TensorProto.Types.DataType.Int32
            ? type
            : null;

    private List<NodeProto>? RewriteGemm(NodeProto node)
    {
        // Y = alpha · A' · B' + beta · C. Only a plain A (transA = 0) and a constant B are rewritten: A · (alpha · B') + beta · C.
        if (node.Input.Count < 2 || !TryGetConstantMatrix(node.Input[1], out TensorProto? weight))
        {
            return null;
        }

        float alpha = FloatAttribute(node, "alpha", 1f);
        float beta = FloatAttribute(node, "beta", 1f);
        bool transposeB = IntAttribute(node, "transB", 0) != 0;
        if (IntAttribute(node, "transA", 0) != 0)
        {
            return null;
        }

        string? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        if (bias is not null && beta != 1f)
        {
            if (!_initializers.TryGetValue(bias, out TensorProto? biasTensor) || _graphInputs.Contains(bias) || biasTensor.DataType != (int)TensorProto.Types.DataType.Float)
            {
                return null;
            }

            float[] scaled = AttentionFusion.ReadFloats(biasTensor);
            for (int i = 0; i < scaled.Length; i++)
            {
                scaled[i] *= beta;
            }

            bias = AddFloatInitializer(biasTensor.Name + "_beta", [.. biasTensor.Dims], scaled);
        }

        (string weightName, string scaleName, string zeroPointName) = QuantizeWeight(weight, transposeB, alpha);
        string product = bias is null ? node.Output[0] : Unique(node.Output[0] + "_matmul");
        List<NodeProto> nodes = QuantizedProduct(node, node.Input[0], weightName, scaleName, zeroPointName, product);
        if (bias is not null)
        {
            nodes.Add(Node("Add", Unique(NodeName(node) + "_bias"), [product, bias], [node.Output[0]]));
        }

        return nodes;
    }

    private List<NodeProto> QuantizedProduct(NodeProto original, string input, string weight, string weightScale, string weightZeroPoint, string output)
    {
        string name = NodeName(original);
        string quantized = Unique(output + "_input_quantized");
        string inputScale = Unique(output + "_input_scale");
        string inputZeroPoint = Unique(output + "_input_zero_point");
        string integerProduct = Unique(output + "_int32");
        string floatProduct = Unique(output + "_int32_float");
        string scale = Unique(output + "_scale");

        NodeProto cast = Node("Cast", Unique(name + "_cast"), [integerProduct], [floatProduct]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        return
        [
            Node("DynamicQuantizeLinear", Unique(name + "_quantize_input"), [input], [quantized, inputScale, inputZeroPoint]),
            Node("MatMulInteger", Unique(name + "_int8"), [quantized, weight, inputZeroPoint, weightZeroPoint], [integerProduct]),
            cast,
            Node("Mul", Unique(name + "_scales"), [inputScale, weightScale], [scale]),
            Node("Mul", Unique(name + "_rescale"), [floatProduct, scale], [output]),
        ];
    }

    private (string Weight, string Scale, string ZeroPoint) QuantizeWeight(TensorProto weight, bool transpose, float alpha)
    {
        string key = $"{weight.Name}|{transpose}|{alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
        if (_quantizedWeights.TryGetValue(key, out (string, string, string) done))
        {
            return done;
        }

        float[] values = AttentionFusion.ReadFloats(weight);
        int rows = (int)weight.Dims[0];
        int columns = (int)weight.Dims[1];
        if (transpose)
        {
            // Gemm's B' = Bᵀ: store it as [K, N] like a MatMul weight.
            float[] transposed = new float[values.Length];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    transposed[(c * rows) + r] = values[(r * columns) + c];
                }
            }

            values = transposed;
            (rows, columns) = (columns, rows);
        }

        if (alpha != 1f)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] *= alpha;
            }
        }

        // Symmetric int8: q = round(w / s), s = max|w| / 127 per output column (or over the whole tensor).
        float limit = _reduceRange ? 63f : 127f;
        int scaleCount = _perChannel ? columns : 1;
        float[] maxAbs = new float[scaleCount];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                int s = _perChannel ? c : 0;
                maxAbs[s] = MathF.Max(maxAbs[s], MathF.Abs(values[(r * columns) + c]));
            }
        }

        float[] scales = new float[scaleCount];
        for (int s = 0; s < scaleCount; s++)
        {
            scales[s] = maxAbs[s] > 0f ? maxAbs[s] / limit : 1f;
        }

        byte[] quantized = new byte[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                float q = MathF.Round(values[(r * columns) + c] / scales[_perChannel ? c : 0], MidpointRounding.ToEven);
                quantized[(r * columns) + c] = (byte)(sbyte)Math.Clamp(q, -limit, limit);
            }
        }

        long[] scaleShape = _perChannel ? [columns] : [];
        string weightName = Unique(weight.Name + "_quantized");
        _graph.Initializer.Add(new TensorProto
        {
            Name = weightName,
            DataType = (int)TensorProto.Types.DataType.Int8,
            Dims = { rows, columns },
            RawData = ByteString.CopyFrom(quantized),
        });
        string scaleName = AddFloatInitializer(weight.Name + "_scale", scaleShape, scales);
        string zeroPointName = Unique(weight.Name + "_zero_point");
        _graph.Initializer.Add(new TensorProto
        {
            Name = zeroPointName,
            DataType = (int)TensorProto.Types.DataType.Int8,
            Dims = { scaleShape },
            RawData = ByteString.CopyFrom(new byte[scaleCount]),
        });

        (string, string, string) names = (weightName, scaleName, zeroPointName);
        _quantizedWeights[key] = names;
        return names;
    }

    private bool TryGetConstantMatrix(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TensorProto? tensor)
    {
        // A weight that is also a graph input can be replaced by the caller at run time, so it is not a constant.
        return _initializers.TryGetValue(name, out tensor)
            && !_graphInputs.Contains(name)
            && tensor.DataType == (int)TensorProto.Types.DataType.Float
            && tensor.Dims.Count == 2
            && tensor.Dims[0] > 0 && tensor.Dims[1] > 0;
    }

    private void RemoveUnusedInitializers()
    {
        var used = new HashSet<string>(_graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        used.UnionWith(_graph.Output.Select(o => o.Name));

        // Subgraphs (If, Loop) may read outer initializers by name.
        foreach (NodeProto node in _graph.Node)
        {
            foreach (AttributeProto attribute in node.Attribute)
            {
                if (attribute.G is not null)
                {
                    used.UnionWith(attribute.G.Node.SelectMany(n => n.Input));
                }

                used.UnionWith(attribute.Graphs.SelectMany(g => g.Node.SelectMany(n => n.Input)));
            }
        }

        TensorProto[] kept = [.. _graph.Initializer.Where(t => used.Contains(t.Name) || _graphInputs.Contains(t.Name))];
        _graph.Initializer.Clear();
        _graph.Initializer.AddRange(kept);
    }

    private string AddFloatInitializer(string name, long[] dims, float[] values) => AttentionFusion.AddFloatInitializer(_graph, Unique(name), dims, values);

    private static float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.F : fallback;

    private static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.I : fallback;

    private static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output[0];

    private static NodeProto Node(string opType, string name, string[] inputs, string[] outputs) => new()
    {
        OpType = opType,
        Name = name,
        Input = { inputs },
        Output = { outputs },
    };

    /// <summary>Returns <paramref name="name"/>, or it with a number appended, so that no two values, nodes or initializers share a name.</summary>
    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }
}
