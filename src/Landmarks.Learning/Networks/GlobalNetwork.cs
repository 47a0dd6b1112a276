using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Landmarks.Inference.Model;

namespace Landmarks.Learning.Networks;

/// <summary>
/// The global fully convolutional ResNet of Noothout et al. 2020: over the whole (coarsely
/// resampled) image, each output cell stands for one patch of <see cref="GlobalNetworkShape.OutputStride"/>
/// input voxels per axis, and says whether each landmark is in it and where, relative to its centre.
/// </summary>
public sealed class GlobalNetwork : Module<Tensor, PatchPrediction>
{
    private readonly Module<Tensor, Tensor> stem;
    private readonly Module<Tensor, Tensor> stages;
    private readonly PatchHeads heads;

    public GlobalNetwork(int dimension, int landmarks, GlobalNetworkShape shape) : base(nameof(GlobalNetwork))
    {
        stem = Layers.ConvNormRelu(dimension, 1, shape.Channels[0]);
        var blocks = new List<Module<Tensor, Tensor>>();
        long input = shape.Channels[0];
        for (int stage = 0; stage < shape.Channels.Length; stage++)
            for (int b = 0; b < shape.Blocks[stage]; b++)
            {
                blocks.Add(new ResidualBlock(dimension, input, shape.Channels[stage], stride: b == 0 && stage > 0 ? 2 : 1));
                input = shape.Channels[stage];
            }
        stages = Sequential(blocks);
        heads = new PatchHeads(dimension, input, landmarks);
        RegisterComponents();
    }

    public override PatchPrediction forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var prediction = heads.forward(stages.forward(stem.forward(image)));
        prediction.Logits.MoveToOuterDisposeScope();
        prediction.CompressedDisplacements.MoveToOuterDisposeScope();
        return prediction;
    }
}
