using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Landmarks.Learning.Networks;

/// <summary>A ResNet basic block: two 3x3 convolutions with batch norm, and a projected shortcut when the shape changes.</summary>
internal sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, norm1, conv2, norm2;
    private readonly Module<Tensor, Tensor>? shortcut;

    public ResidualBlock(int dimension, long input, long output, long stride) : base(nameof(ResidualBlock))
    {
        conv1 = Layers.Conv(dimension, input, output, 3, stride);
        norm1 = Layers.Norm(dimension, output);
        conv2 = Layers.Conv(dimension, output, output, 3);
        norm2 = Layers.Norm(dimension, output);
        if (stride != 1 || input != output)
            shortcut = Sequential(Layers.Conv(dimension, input, output, kernel: 1, stride: stride), Layers.Norm(dimension, output));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(norm1.forward(conv1.forward(x)));
        y = norm2.forward(conv2.forward(y));
        var identity = shortcut is null ? x : shortcut.forward(x);
        return functional.relu(y + identity).MoveToOuterDisposeScope();
    }
}
