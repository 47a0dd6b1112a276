using Google.Protobuf;
using Landmarks.Imaging.Images;
using Landmarks.Inference;
using Landmarks.Inference.Model;
using Landmarks.Inference.Stages;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Landmarks.Onnx;

/// <summary>
/// An exported 2D model's networks with 8-bit integer convolutions, which ONNX Runtime runs faster than 32-bit floats on a
/// CPU with integer dot products (AVX-512 VNNI here: a cephalogram's global network 11 ms against 17). Static quantization in the
/// QDQ form: batch normalisation folded into the convolution before it; each convolution's weights as int8 per output
/// channel (symmetric, scale max|w| / 127); every tensor a convolution, a sum or a pooling reads as uint8 (QuantizeLinear
/// then DequantizeLinear), its range calibrated by running the float network on the inputs the localizer gives it on
/// calibration images. ONNX Runtime fuses those patterns into integer kernels. The heads' weights (the last 1x1
/// convolutions, which give the presence logits and the displacements) stay float, for little time. On the ISBI model of
/// record the cephalograms 121-150 come out nearly as accurate as with float networks (1.569 against 1.547 mm, paired
/// difference +0.022 +- 0.020 mm): measure it on a model's own held-out cases before relying on it.
/// </summary>
public static class Int8Quantization
{
    /// <summary>The package with both networks quantized, calibrated on the inputs its float networks get from
    /// <paramref name="calibration"/> images.</summary>
    public static ModelPackage Quantize(ModelPackage package, IEnumerable<Image> calibration)
    {
        if (package.NetworkFormat != OnnxModel.NetworkFormat) throw new ArgumentException($"networks are '{package.NetworkFormat}', not ONNX");
        if (package.Metadata.Config.Dimension == 3)
            throw new ArgumentException("8-bit convolutions are for 2D models: ONNX Runtime's 3D integer convolutions run slower than its float ones on CPU (a mouse skull: 8.7 s against 5.6 s)");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var globalFloat = new OnnxPatchNetwork(package.GlobalNetwork, options);
        using var localFloat = new OnnxPatchNetwork(package.LocalNetwork, options);
        var global = new RecordingNetwork(globalFloat);
        var local = new RecordingNetwork(localFloat);
        var localizer = new Localizer(new LocalizerModel(package.Metadata, global, local, package.Template));
        var config = package.Metadata.Config;
        // The local network on the landmarks that use it, as Locate runs it; on all of them where none does (its ranges
        // are needed all the same).
        bool[]? chosen = package.Metadata.Stages?.Select(s => s.UseLocal).ToArray();
        if (chosen is not null && !chosen.Contains(true)) chosen = null;
        int images = 0;
        foreach (var image in calibration)
        {
            var (globalImage, localImage) = StageImage.PrepareBoth(image, config.Global.SpacingMm, config.Local.SpacingMm);
            var coarse = localizer.GlobalStage(globalImage);
            var start = localizer.Start(coarse.PositionsMm, [.. coarse.Presence.Select(p => p >= localizer.PresenceThreshold)]);
            localizer.Refine(localImage, start.PositionsMm, start.PoseRotation, localizer.LocalPasses, chosen);
            images++;
        }
        if (images == 0) throw new ArgumentException("no calibration images");
        return package with { GlobalNetwork = QuantizeGraph(package.GlobalNetwork, global.Inputs), LocalNetwork = QuantizeGraph(package.LocalNetwork, local.Inputs) };
    }

    /// <summary>The networks' input, as <c>OnnxExport</c> names it.</summary>
    private const string InputName = "input";

    /// <summary>Float ONNX Runtime with the graph as written: optimisations would fuse away the tensors calibration reads.</summary>
    private static SessionOptions CalibrationOptions() => new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };

    /// <summary>Passes every call through, keeping its inputs (the calibration set of a network).</summary>
    private sealed class RecordingNetwork(IPatchNetwork network) : IPatchNetwork
    {
        public List<(float[][] Inputs, int[] Size)> Inputs { get; } = [];

        public PatchOutput Run(IReadOnlyList<float[]> inputs, int[] size)
        {
            Inputs.Add(([.. inputs], size));
            return network.Run(inputs, size);
        }
    }

    /// <summary>One float graph (as <c>OnnxExport</c> writes it) quantized, its activation ranges taken from running it on
    /// <paramref name="calibration"/>.</summary>
    internal static byte[] QuantizeGraph(byte[] floatGraph, IReadOnlyList<(float[][] Inputs, int[] Size)> calibration)
    {
        var model = ModelProto.Parser.ParseFrom(floatGraph);
        var graph = model.Graph;
        var known = graph.Node.Select(n => n.OpType).Except(["Conv", "BatchNormalization", "Relu", "Add", "AveragePool", "Reshape", "Identity"]).ToList();
        if (known.Count > 0) throw new ArgumentException($"the quantizer does not know the operators {string.Join(", ", known)}");
        FoldBatchNormalization(graph);
        var quantized = ActivationsToQuantize(graph);
        var ranges = Calibrate(model, quantized, calibration);
        var integerConvolutions = graph.Node.Where(n => n.OpType == "Conv" && !IsHead(graph, n)).ToList();
        var added = new List<NodeProto>();
        foreach (var tensor in quantized) added.AddRange(QuantizeActivation(graph, tensor, ranges[tensor]));
        foreach (var conv in integerConvolutions) added.Add(QuantizeWeights(graph, conv));
        graph.Node.AddRange(added);
        SortTopologically(graph);
        return model.ToByteArray();
    }

    /// <summary>y = gamma (conv(x) - mean) / sqrt(var + eps) + beta is a convolution with weights scaled per output channel
    /// and a bias: the integer kernels take a convolution alone.</summary>
    private static void FoldBatchNormalization(GraphProto graph)
    {
        foreach (var norm in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            var conv = graph.Node.SingleOrDefault(n => n.Output[0] == norm.Input[0] && n.OpType == "Conv");
            if (conv is null || graph.Node.Count(n => n.Input.Contains(norm.Input[0])) != 1)
                throw new ArgumentException($"batch normalisation {norm.Name} does not follow a convolution of its own");
            var weights = Floats(graph, conv.Input[1]);
            float[] gamma = Floats(graph, norm.Input[1]), beta = Floats(graph, norm.Input[2]), mean = Floats(graph, norm.Input[3]), variance = Floats(graph, norm.Input[4]);
            float epsilon = norm.Attribute.SingleOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            int channels = gamma.Length, perChannel = weights.Length / channels;
            var bias = conv.Input.Count > 2 ? Floats(graph, conv.Input[2]) : new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double factor = gamma[c] / Math.Sqrt(variance[c] + (double)epsilon);
                for (int i = 0; i < perChannel; i++) weights[c * perChannel + i] = (float)(weights[c * perChannel + i] * factor);
                bias[c] = (float)(beta[c] + (bias[c] - mean[c]) * factor);
            }
            var shape = Initializer(graph, conv.Input[1]).Dims.ToArray();
            conv.Input[1] = AddFloats(graph, conv.Input[1] + "_folded", weights, shape);
            string biasName = AddFloats(graph, conv.Input[1] + "_bias", bias, channels);
            if (conv.Input.Count > 2) conv.Input[2] = biasName;
            else conv.Input.Add(biasName);
            conv.Output[0] = norm.Output[0];
            graph.Node.Remove(norm);
            foreach (var name in norm.Input.Skip(1)) RemoveIfUnused(graph, name);
        }
        foreach (var initializer in graph.Initializer.ToList()) RemoveIfUnused(graph, initializer.Name);
    }

    /// <summary>The tensors the integer kernels read: the data input of every convolution, and the inputs of sums and
    /// poolings.</summary>
    private static HashSet<string> ActivationsToQuantize(GraphProto graph) =>
        [.. graph.Node.SelectMany(n => n.OpType switch
        {
            "Conv" => [n.Input[0]],
            "Add" or "AveragePool" => n.Input,
            _ => [],
        })];

    /// <summary>A head: a convolution whose output leaves the graph (through Identity or Reshape).</summary>
    private static bool IsHead(GraphProto graph, NodeProto conv) =>
        conv.OpType == "Conv" && graph.Node.Where(n => n.Input.Contains(conv.Output[0])).All(n => n.OpType is "Identity" or "Reshape");

    /// <summary>Each tensor's smallest and largest value over the calibration inputs (0 always inside the range, as uint8
    /// with a zero point needs), from the float graph with those tensors made outputs.</summary>
    private static Dictionary<string, (float Min, float Max)> Calibrate(ModelProto model, HashSet<string> tensors, IReadOnlyList<(float[][] Inputs, int[] Size)> calibration)
    {
        if (calibration.Count == 0) throw new ArgumentException("the network was never run on the calibration images");
        var probe = model.Clone();
        // The graph's input is known without running anything; the other tensors become outputs.
        string[] inner = [.. tensors.Where(t => probe.Graph.Input.All(i => i.Name != t))];
        foreach (var tensor in inner.Where(t => probe.Graph.Output.All(o => o.Name != t)))
            probe.Graph.Output.Add(new ValueInfoProto { Name = tensor, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var ranges = tensors.ToDictionary(t => t, _ => (Min: 0f, Max: 0f));
        using var options = CalibrationOptions();
        using var session = new InferenceSession(probe.ToByteArray(), options);
        foreach (var (inputs, size) in calibration)
        {
            long voxels = size.Aggregate(1L, (a, b) => a * b);
            var batch = new float[inputs.Length * voxels];
            for (int n = 0; n < inputs.Length; n++) inputs[n].CopyTo(batch, n * voxels);
            var input = new DenseTensor<float>(batch, [inputs.Length, 1, .. size.Reverse()]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(InputName, input)], inner);
            foreach (var result in results) Widen(ranges, result.Name, result.AsTensor<float>());
            if (ranges.ContainsKey(InputName)) Widen(ranges, InputName, input);
        }
        return ranges;
    }

    private static void Widen(Dictionary<string, (float Min, float Max)> ranges, string tensor, Tensor<float> values)
    {
        var (min, max) = ranges[tensor];
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        ranges[tensor] = (min, max);
    }

    /// <summary>Readers of <paramref name="tensor"/> read it through QuantizeLinear and DequantizeLinear (uint8, the scale
    /// and zero point that span its calibrated range).</summary>
    private static IEnumerable<NodeProto> QuantizeActivation(GraphProto graph, string tensor, (float Min, float Max) range)
    {
        float scale = Math.Max(range.Max - range.Min, 1e-6f) / 255;
        byte zeroPoint = (byte)Math.Clamp(Math.Round(-range.Min / scale), 0, 255);
        string scaleName = AddFloats(graph, tensor + "_scale", [scale]), zeroName = tensor + "_zero";
        graph.Initializer.Add(new TensorProto { Name = zeroName, DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom([zeroPoint]) });
        string quantized = tensor + "_uint8", dequantized = tensor + "_dequantized";
        foreach (var reader in graph.Node)
            for (int i = 0; i < reader.Input.Count; i++)
                if (reader.Input[i] == tensor && !(reader.OpType == "Conv" && i > 0)) reader.Input[i] = dequantized;
        yield return Node("QuantizeLinear", [tensor, scaleName, zeroName], quantized);
        yield return Node("DequantizeLinear", [quantized, scaleName, zeroName], dequantized);
    }

    /// <summary>The convolution reads its weights as int8 per output channel through DequantizeLinear.</summary>
    private static NodeProto QuantizeWeights(GraphProto graph, NodeProto conv)
    {
        var weights = Floats(graph, conv.Input[1]);
        var dims = Initializer(graph, conv.Input[1]).Dims.ToArray();
        int channels = (int)dims[0], perChannel = weights.Length / channels;
        var scales = new float[channels];
        var values = new byte[weights.Length];
        for (int c = 0; c < channels; c++)
        {
            float largest = 0;
            for (int i = 0; i < perChannel; i++) largest = Math.Max(largest, Math.Abs(weights[c * perChannel + i]));
            scales[c] = largest > 0 ? largest / 127 : 1;
            for (int i = 0; i < perChannel; i++) values[c * perChannel + i] = (byte)(sbyte)Math.Clamp(Math.Round(weights[c * perChannel + i] / scales[c]), -127, 127);
        }
        string name = conv.Input[1];
        var integers = new TensorProto { Name = name + "_int8", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(values) };
        integers.Dims.AddRange(dims);
        var zeros = new TensorProto { Name = name + "_zero", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(new byte[channels]) };
        zeros.Dims.Add(channels);
        graph.Initializer.Add(integers);
        graph.Initializer.Add(zeros);
        string scaleName = AddFloats(graph, name + "_scale", scales, channels);
        var node = Node("DequantizeLinear", [integers.Name, scaleName, zeros.Name], name + "_dequantized");
        node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Initializer.Remove(Initializer(graph, name));
        conv.Input[1] = node.Output[0];
        return node;
    }

    /// <summary>ONNX wants nodes in an order where every input is made before it is read.</summary>
    private static void SortTopologically(GraphProto graph)
    {
        var made = new HashSet<string>(graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(i => i.Name)));
        var waiting = graph.Node.ToList();
        var ordered = new List<NodeProto>(waiting.Count);
        while (waiting.Count > 0)
        {
            var ready = waiting.FirstOrDefault(n => n.Input.All(i => i.Length == 0 || made.Contains(i)))
                ?? throw new InvalidOperationException("the quantized graph has a cycle or an input nothing makes");
            ordered.Add(ready);
            waiting.Remove(ready);
            made.UnionWith(ready.Output);
        }
        graph.Node.Clear();
        graph.Node.AddRange(ordered);
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}:{output}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static TensorProto Initializer(GraphProto graph, string name) =>
        graph.Initializer.SingleOrDefault(i => i.Name == name) ?? throw new ArgumentException($"the graph has no weights named {name}");

    private static float[] Floats(GraphProto graph, string name)
    {
        var tensor = Initializer(graph, name);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float) throw new ArgumentException($"weights {name} are not 32-bit floats");
        if (tensor.RawData.Length > 0)
        {
            var values = new float[tensor.RawData.Length / sizeof(float)];
            Buffer.BlockCopy(tensor.RawData.ToByteArray(), 0, values, 0, values.Length * sizeof(float));
            return values;
        }
        return [.. tensor.FloatData];
    }

    private static string AddFloats(GraphProto graph, string name, float[] values, params long[] dims)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return name;
    }

    private static void RemoveIfUnused(GraphProto graph, string name)
    {
        if (graph.Node.Any(n => n.Input.Contains(name))) return;
        var initializer = graph.Initializer.FirstOrDefault(i => i.Name == name);
        if (initializer is not null) graph.Initializer.Remove(initializer);
    }
}
