using Landmarks.Inference.Patches;

namespace Landmarks.Inference.Tests;

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
        Assert.Equal(displacement, SignedLog.Expand(expected), 9);
    }

    [Fact]
    public void Expand_inverts_compress_over_the_range_networks_see()
    {
        foreach (double d in new[] { -1000, -31.5, -1, -0.001, 0, 0.25, 7, 512 })
            Assert.Equal(d, SignedLog.Expand(SignedLog.Compress(d)), 9);
    }
}
