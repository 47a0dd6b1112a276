using Landmarks.Learning.Targets;
using static TorchSharp.torch;

namespace Landmarks.Learning.Tests;

public class SignedLogTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(9.0, 1.0)]
    [InlineData(-99.0, -2.0)]
    [InlineData(0.5, 0.17609125905568124)]
    public void Compress_gives_known_values(double displacement, double expected)
    {
        Assert.Equal(expected, SignedLog.Compress(displacement), 12);
    }

    [Fact]
    public void Tensor_round_trip_is_exact_to_float_precision()
    {
        using var scope = NewDisposeScope();
        var d = tensor(new float[] { -1000f, -31.5f, -1f, -0.001f, 0f, 0.25f, 7f, 512f });
        var back = SignedLog.Expand(SignedLog.Compress(d));
        var relative = ((back - d).abs() / (d.abs() + 1e-3f)).max().item<float>();
        Assert.True(relative < 1e-5f, $"relative error {relative}");
        Assert.Equal(SignedLog.Compress(-31.5), SignedLog.Compress(d)[1].item<float>(), 5);
    }
}
