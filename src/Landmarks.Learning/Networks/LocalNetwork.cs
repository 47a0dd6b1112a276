using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Landmarks.Learning.Networks;

/// <summary>
/// The small specialised network of the local stage, one per landmark, on a fine sub-image around
/// the global estimate: 4 x [3x3 conv 32, BN, ReLU], 2x2 average pool, then 3x3 convolutions with 64
/// channels (output stride 2); the widths are configurable (3D uses half). The published layout sees about 4 mm at 0.2 mm/px, less than the
/// global errors it must correct; dilations 1, 2, 4, 8 in the later layers widen the receptive field
/// to about 60 input voxels at little cost.
/// </summary>
public sealed class LocalNetwork : Module<Tensor, PatchPrediction>
{
    public const int OutputStride = Landmarks.Inference.Model.LocalStageConfig.OutputStride;
    private static readonly int[] Dilations = [1, 2, 4, 8];

    private readonly Module<Tensor, Tensor> features;
    private readonly PatchHeads heads;

    /// <param name="channels">Widths before and after the pooling: [32, 64] as published.</param>
    public LocalNetwork(int dimension, int[] channels, int landmarks = 1) : base(nameof(LocalNetwork))
    {
        int fine = channels[0], coarse = channels[1];
        var layers = new List<Module<Tensor, Tensor>>
        {
            Layers.ConvNormRelu(dimension, 1, fine),
            Layers.ConvNormRelu(dimension, fine, fine),
            Layers.ConvNormRelu(dimension, fine, fine),
            Layers.ConvNormRelu(dimension, fine, fine),
            Layers.AveragePool(dimension, 2),
        };
        long input = fine;
        foreach (int dilation in Dilations)
        {
            layers.Add(Layers.ConvNormRelu(dimension, input, coarse, dilation: dilation));
            input = coarse;
        }
        features = Sequential(layers);
        heads = new PatchHeads(dimension, coarse, landmarks);
        RegisterComponents();
    }

    /// <summary>Input voxels along one axis that influence one output cell.</summary>
    public static int ReceptiveField => 9 + 1 + Dilations.Sum(d => 2 * d * OutputStride);

    public override PatchPrediction forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var prediction = heads.forward(features.forward(image));
        prediction.Logits.MoveToOuterDisposeScope();
        prediction.CompressedDisplacements.MoveToOuterDisposeScope();
        return prediction;
    }
}
