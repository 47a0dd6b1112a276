using Landmarks.Learning.Export;
using static TorchSharp.torch;

namespace Landmarks.Learning.Tests;

public class OnnxExportTests
{
    [Fact]
    public void A_layer_the_exporter_does_not_know_is_refused_by_name()
    {
        var graph = new OnnxGraph("test");
        var error = Assert.Throws<UnsupportedLayerException>(() => graph.Layer(nn.Dropout(0.5), "input"));
        Assert.Contains("Dropout", error.Message);
        Assert.Throws<UnsupportedLayerException>(() => graph.Layer(nn.Sequential(nn.ReLU(), nn.Sigmoid()), "input"));
        Assert.Throws<UnsupportedLayerException>(() => graph.Layer(nn.Conv2d(1, 2, 3, padding: 1, padding_mode: TorchSharp.PaddingModes.Reflect), "input"));
    }
}
