using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Landmarks.Learning.Networks;

/// <summary>Layer factories for 2D or 3D, so each network is written once for both.</summary>
internal static class Layers
{
    public static Module<Tensor, Tensor> Conv(int dimension, long input, long output, long kernel = 3, long stride = 1, long dilation = 1, bool bias = false)
    {
        long padding = dilation * (kernel - 1) / 2;
        return dimension == 2
            ? Conv2d(input, output, kernel, stride: stride, padding: padding, dilation: dilation, bias: bias)
            : Conv3d(input, output, kernel, stride: stride, padding: padding, dilation: dilation, bias: bias);
    }

    public static Module<Tensor, Tensor> Norm(int dimension, long channels) =>
        dimension == 2 ? BatchNorm2d(channels) : BatchNorm3d(channels);

    public static Module<Tensor, Tensor> AveragePool(int dimension, long size) =>
        dimension == 2 ? AvgPool2d(size) : AvgPool3d(size);

    /// <summary>Convolution, batch normalisation, ReLU.</summary>
    public static Module<Tensor, Tensor> ConvNormRelu(int dimension, long input, long output, long stride = 1, long dilation = 1) =>
        Sequential(Conv(dimension, input, output, 3, stride, dilation), Norm(dimension, output), ReLU(inplace: true));
}
