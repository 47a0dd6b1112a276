using Landmarks.Learning.Networks;
using Landmarks.Learning.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Landmarks.Learning.Training;

/// <summary>
/// Loss of Noothout et al. 2020, L1 on the compressed displacements plus alpha times the binary cross-entropy of the
/// presence logits, with one change: half of the L1 is their mean over all cells, half the mean over the cells near each
/// landmark (<see cref="PatchTargets.NearCells"/>). Over all cells alone, the few whose votes aggregation takes weigh
/// nothing beside the hundreds far off, and networks learnt no position within a cell (docs/BENCHMARKS.md).
/// Landmarks absent from the image are left out.
/// </summary>
public static class PatchLoss
{
    /// <summary>Share of the displacement loss on the cells near each landmark.</summary>
    public const double NearShare = 0.5;

    /// <summary>The loss to minimise, and its parts as numbers for reporting.</summary>
    public sealed record Parts(Tensor Total, double Regression, double Classification)
    {
        public double TotalValue => Total.item<float>();
    }

    public static Parts Compute(PatchPrediction prediction, PatchTargets targets, double alpha)
    {
        var mask = targets.Mask;  // [B, L]
        long cells = prediction.Logits[0, 0].numel();
        int dimension = (int)prediction.CompressedDisplacements.shape[2];
        // Scalars held for the whole computation: a temporary one can be finalized by the GC while the
        // native call that uses it is still running (TorchSharp passes raw handles).
        using var one = 1.ToScalar();
        using var perCell = (1.0 / cells).ToScalar();
        using var perComponent = (1.0 / (cells * dimension)).ToScalar();
        using var alphaScalar = alpha.ToScalar();
        using var nearShare = NearShare.ToScalar();
        using var allShare = (1 - NearShare).ToScalar();
        using var dimensionScalar = dimension.ToScalar();
        var weight = mask.sum().clamp_min(one);

        var classMask = mask.reshape([mask.shape[0], mask.shape[1], .. Enumerable.Repeat(1L, (int)prediction.Logits.dim() - 2)]);
        var bce = functional.binary_cross_entropy_with_logits(prediction.Logits, targets.Classes, reduction: Reduction.None);
        var classification = (bce * classMask).sum().div(weight).mul(perCell);

        var displacementMask = mask.reshape([mask.shape[0], mask.shape[1], 1, .. Enumerable.Repeat(1L, (int)prediction.Logits.dim() - 2)]);
        var l1 = (prediction.CompressedDisplacements - targets.CompressedDisplacements).abs();
        var overAll = (l1 * displacementMask).sum().div(weight).mul(perComponent);
        var near = targets.Near.unsqueeze(2) * displacementMask;
        var overNear = (l1 * near).sum().div(near.sum().mul(dimensionScalar).clamp_min(one));
        var regression = overAll.mul(allShare).add(overNear, nearShare);

        var total = regression.add(classification, alphaScalar);
        return new Parts(total, regression.item<float>(), classification.item<float>());
    }
}
