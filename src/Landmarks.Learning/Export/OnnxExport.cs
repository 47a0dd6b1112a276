using Google.Protobuf;
using Landmarks.Learning.Networks;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Landmarks.Learning.Export;

/// <summary>A layer the ONNX exporter does not know how to write.</summary>
public sealed class UnsupportedLayerException(string message) : Exception(message);

/// <summary>
/// Writes a patch network as an ONNX graph (opset 17): one input <c>input</c> [N, 1, (D,) H, W] with every dimension
/// but the channel free, outputs <c>logits</c> [N, L, (D,) H', W'] and <c>displacements</c> [N, L, dimension, cells]
/// (compressed, as the network gives them). Walks the network's layers and writes each as the ONNX operator that
/// computes the same: convolution, batch normalisation (running statistics), ReLU, average pooling, the residual
/// block's sum. A layer it does not know is refused with its name, never skipped.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 17;

    /// <summary>IR version 8 is the one opset 17 came with.</summary>
    private const long IrVersion = 8;

    public static byte[] Network(nn.Module<Tensor, PatchPrediction> network, int dimension, int landmarks, string name)
    {
        using var noGrad = no_grad();
        var graph = new OnnxGraph(name);
        string input = graph.Input("input", dimension);
        var (logits, displacements) = network switch
        {
            GlobalNetwork g => graph.Heads(Child(g, "heads"), graph.Layer(Child(g, "stages"), graph.Layer(Child(g, "stem"), input)), dimension, landmarks),
            LocalNetwork l => graph.Heads(Child(l, "heads"), graph.Layer(Child(l, "features"), input), dimension, landmarks),
            _ => throw new UnsupportedLayerException($"the ONNX exporter does not know the network {network.GetType().Name}"),
        };
        graph.Output(logits, "logits", dimension + 2);
        graph.Output(displacements, "displacements", 4);
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "landmarks",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = graph.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    internal static nn.Module Child(nn.Module module, string name) =>
        module.named_children().FirstOrDefault(c => c.name == name).module
        ?? throw new UnsupportedLayerException($"{module.GetType().Name} has no layer '{name}'");
}

/// <summary>An ONNX graph being written: nodes, initializers (the weights), unique value names.</summary>
internal sealed class OnnxGraph(string name)
{
    public GraphProto Proto { get; } = new() { Name = name };
    private int _next;

    private string Fresh(string stem) => $"{stem}_{_next++}";

    public string Input(string input, int dimension)
    {
        Proto.Input.Add(ValueInfo(input, ["N", "1", .. Enumerable.Range(0, dimension).Select(axis => $"S{axis}")]));
        return input;
    }

    public void Output(string value, string output, int rank)
    {
        Proto.Node.Add(Node("Identity", [value], [output]));
        Proto.Output.Add(ValueInfo(output, [.. Enumerable.Range(0, rank).Select(axis => $"O{axis}")]));
    }

    private static ValueInfoProto ValueInfo(string name, IEnumerable<string> dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d == "1" ? new TensorShapeProto.Types.Dimension { DimValue = 1 } : new TensorShapeProto.Types.Dimension { DimParam = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static NodeProto Node(string op, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}:{outputs.First()}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private string Weight(Tensor tensor, string stem)
    {
        string weightName = Fresh(stem);
        var values = tensor.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        var proto = new TensorProto { Name = weightName, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(tensor.shape);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        proto.RawData = ByteString.CopyFrom(bytes);
        Proto.Initializer.Add(proto);
        return weightName;
    }

    private string Int64s(long[] values, string stem)
    {
        string tensorName = Fresh(stem);
        var proto = new TensorProto { Name = tensorName, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Proto.Initializer.Add(proto);
        return tensorName;
    }

    private string Emit(string op, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string output = Fresh(op.ToLowerInvariant());
        Proto.Node.Add(Node(op, inputs, [output], attributes));
        return output;
    }

    /// <summary>Writes one layer (and what it holds) after <paramref name="input"/>; returns its output's name.</summary>
    public string Layer(nn.Module module, string input)
    {
        switch (module)
        {
            case Sequential sequential:
                foreach (var (_, child) in sequential.named_children()) input = Layer(child, input);
                return input;
            case Convolution conv:
                return Convolution(conv, input);
            case NormBase norm when module is BatchNorm1d or BatchNorm2d or BatchNorm3d:
                return Emit("BatchNormalization", [input, Weight(norm.weight!, "bn_scale"), Weight(norm.bias!, "bn_bias"),
                    Weight(norm.running_mean!, "bn_mean"), Weight(norm.running_var!, "bn_var")], Float("epsilon", (float)norm.eps));
            case ReLU:
                return Emit("Relu", [input]);
            case AvgPool2d pool:
                return Emit("AveragePool", [input], Ints("kernel_shape", pool.kernel_size), Ints("strides", pool.stride ?? pool.kernel_size));
            case AvgPool3d pool:
                return Emit("AveragePool", [input], Ints("kernel_shape", pool.kernel_size), Ints("strides", pool.stride ?? pool.kernel_size));
            case ResidualBlock block:
                var children = block.named_children().ToDictionary(c => c.name, c => c.module);
                string y = Emit("Relu", [Layer(children["norm1"], Layer(children["conv1"], input))]);
                y = Layer(children["norm2"], Layer(children["conv2"], y));
                string identity = children.TryGetValue("shortcut", out var shortcut) ? Layer(shortcut, input) : input;
                return Emit("Relu", [Emit("Add", [y, identity])]);
            default:
                throw new UnsupportedLayerException($"the ONNX exporter does not know the layer {module.GetType().Name}");
        }
    }

    private string Convolution(Convolution conv, string input)
    {
        if (conv.transposed || conv.padding is null || conv.padding_mode != PaddingModes.Zeros)
            throw new UnsupportedLayerException($"the ONNX exporter writes plain convolutions with zero padding, not this {conv.GetType().Name}");
        List<string> inputs = [input, Weight(conv.weight, "conv_w")];
        if (conv.bias is not null) inputs.Add(Weight(conv.bias, "conv_b"));
        return Emit("Conv", inputs, Ints("kernel_shape", conv.kernel_size), Ints("strides", conv.stride), Ints("dilations", conv.dilation),
            Ints("pads", [.. conv.padding, .. conv.padding]), Int("group", conv.groups));
    }

    /// <summary>The two 1x1 heads: presence logits as they are, displacements reshaped to [N, L, dimension, cells].</summary>
    public (string Logits, string Displacements) Heads(nn.Module heads, string features, int dimension, int landmarks)
    {
        if (heads is not PatchHeads) throw new UnsupportedLayerException($"the ONNX exporter does not know the heads {heads.GetType().Name}");
        string logits = Layer(OnnxExport.Child(heads, "classification"), features);
        string regression = Layer(OnnxExport.Child(heads, "regression"), features);
        return (logits, Emit("Reshape", [regression, Int64s([0, landmarks, dimension, -1], "shape")]));
    }
}
