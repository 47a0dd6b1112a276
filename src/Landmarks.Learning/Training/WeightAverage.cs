using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Training;

/// <summary>
/// An exponential moving average of a network's weights and batch-norm statistics (Polyak averaging), kept in a second
/// network of the same layout: small batches (4 whole cephalograms in the global stage) make each step's weights noisy,
/// and the average over the last few hundred steps generalises better than any one of them, which a handful of
/// validation cases would otherwise have to pick.
/// </summary>
internal sealed class WeightAverage
{
    private readonly (Tensor Latest, Tensor Average)[] _pairs;
    private readonly double _share;

    /// <param name="share">The average's time constant as a share of the stage's iterations; 0 turns averaging off (the
    /// average is then the latest weights).</param>
    public WeightAverage(nn.Module network, nn.Module average, double share)
    {
        var latest = network.state_dict();
        _pairs = [.. average.state_dict().Select(p => (latest[p.Key], p.Value))];
        _share = share;
    }

    /// <summary>Folds the network's weights after iteration <paramref name="iteration"/> (0-based) of
    /// <paramref name="iterations"/> into the average.</summary>
    public void Update(int iteration, int iterations)
    {
        // The time constant grows with the iterations done (1.1 steps at the first), so that the first weights, far
        // from trained, fade instead of lingering for a whole time constant.
        double constant = Math.Min(_share * iterations, (iteration + 10) / 9.0);
        using var noGrad = no_grad();
        double weight = constant > 1 ? 1 / constant : 1;
        using var keep = (1 - weight).ToScalar();
        using var take = weight.ToScalar();
        foreach (var (latest, average) in _pairs)
        {
            // Integers (batch counts) and a weight of 1 (no averaging) take the latest values as they are.
            if (weight < 1 && average.is_floating_point()) average.mul_(keep).add_(latest, take);
            else average.copy_(latest);
        }
    }
}
