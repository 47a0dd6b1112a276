using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Landmarks.Learning.Networks;

/// <summary>The two 1x1 convolution heads shared by the global and the local networks.</summary>
internal sealed class PatchHeads : Module<Tensor, PatchPrediction>
{
    private readonly Module<Tensor, Tensor> classification;
    private readonly Module<Tensor, Tensor> regression;
    private readonly int _dimension;
    private readonly int _landmarks;

    public PatchHeads(int dimension, long channels, int landmarks) : base(nameof(PatchHeads))
    {
        _dimension = dimension;
        _landmarks = landmarks;
        classification = Layers.Conv(dimension, channels, landmarks, kernel: 1, bias: true);
        regression = Layers.Conv(dimension, channels, landmarks * dimension, kernel: 1, bias: true);
        RegisterComponents();
    }

    public override PatchPrediction forward(Tensor features)
    {
        var logits = classification.forward(features);
        var displacement = regression.forward(features);
        var shape = displacement.shape;
        // [B, L*D, cells...] -> [B, L, D, cells...]
        long[] split = [shape[0], _landmarks, _dimension, .. shape.Skip(2)];
        return new PatchPrediction(logits, displacement.reshape(split));
    }
}
