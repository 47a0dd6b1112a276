using Landmarks.Learning.Training;
using static TorchSharp.torch;

namespace Landmarks.Learning.Tests;

/// <summary>The running average of a network's weights: how fast it follows, and what it copies instead of averaging.</summary>
public class WeightAverageTests
{
    private static (TorchSharp.Modules.Sequential Network, TorchSharp.Modules.Sequential Average) Pair()
    {
        var network = nn.Sequential(("linear", nn.Linear(3, 2)), ("norm", nn.BatchNorm1d(2)));
        var average = nn.Sequential(("linear", nn.Linear(3, 2)), ("norm", nn.BatchNorm1d(2)));
        return (network, average);
    }

    private static void Fill(nn.Module module, double value)
    {
        using var noGrad = no_grad();
        foreach (var (_, tensor) in module.state_dict())
            if (tensor.is_floating_point()) tensor.fill_(value);
    }

    private static double Weight(nn.Module module) => module.state_dict()["linear.weight"][0, 0].item<float>();

    [Fact]
    public void Without_a_share_the_average_is_the_latest_weights_buffers_included()
    {
        var (network, average) = Pair();
        var averager = new WeightAverage(network, average, 0);
        network.train();
        network.forward(randn(4, 3));  // moves the batch-norm statistics and counts the batch
        averager.Update(500, 1000);
        foreach (var (name, tensor) in average.state_dict())
            Assert.True(tensor.eq(network.state_dict()[name]).all().item<bool>(), name);
        Assert.Equal(1, average.state_dict()["norm.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void The_first_weights_fade_at_once_and_a_change_late_in_a_stage_is_followed_over_its_share_of_iterations()
    {
        var (network, average) = Pair();
        Fill(average, 0);
        Fill(network, 1);
        var averager = new WeightAverage(network, average, 0.01);
        averager.Update(0, 100_000);
        Assert.Equal(0.9, Weight(average), 5);  // a time constant of 10/9 steps at the start: a tenth of the old weights left
        for (int i = 1; i < 20_000; i++) averager.Update(i, 100_000);
        Assert.Equal(1, Weight(average), 5);

        // Late in the stage the time constant is the share: 1000 of 100000 iterations. A step change is then followed
        // by 1 - 1/e of it after 1000 iterations (1 - (1 - 1/1000)^1000 = 0.6323).
        Fill(network, 2);
        for (int i = 20_000; i < 21_000; i++) averager.Update(i, 100_000);
        Assert.Equal(1 + 0.6323, Weight(average), 3);
        Assert.Equal(0, average.state_dict()["norm.num_batches_tracked"].item<long>());  // integers copied, not averaged
    }
}
