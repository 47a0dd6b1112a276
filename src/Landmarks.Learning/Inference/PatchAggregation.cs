using Landmarks.Learning.Targets;

namespace Landmarks.Learning.Inference;

/// <summary>A landmark estimate in input voxels (x, y, z order) and how sure the network is that
/// the landmark is in the input at all.</summary>
public sealed record PatchEstimate(double[] InputVoxel, double Presence);

/// <summary>
/// Aggregation of Noothout et al. 2020: landmark = sum_p P(p) (centre_p + d_p) / sum_p P(p). Over the
/// <c>topCells</c> most probable cells only (all when 0): measured here to be more accurate and
/// steadier than the average over every cell. Presence is sum_p P(p), capped at 1: about 1 when
/// exactly one cell claims the landmark, near 0 when none does.
/// </summary>
public static class PatchAggregation
{
    /// <param name="probabilities">[landmark][cell] sigmoid of the logits.</param>
    /// <param name="displacements">[landmark][axis][cell] expanded displacements in input voxels.</param>
    public static PatchEstimate[] Aggregate(PatchGrid grid, float[][] probabilities, float[][][] displacements, int topCells)
    {
        int cells = grid.CellCount;
        var centres = new double[cells][];
        for (int c = 0; c < cells; c++) centres[c] = [.. grid.CellOf(c).Select(grid.CentreOf)];
        var estimates = new PatchEstimate[probabilities.Length];
        for (int l = 0; l < probabilities.Length; l++)
        {
            var p = probabilities[l];
            IEnumerable<int> chosen = Enumerable.Range(0, cells);
            if (topCells > 0 && topCells < cells) chosen = chosen.OrderByDescending(c => p[c]).ThenBy(c => c).Take(topCells);
            var position = new double[grid.Dimension];
            double weight = 0;
            foreach (int c in chosen)
            {
                weight += p[c];
                for (int axis = 0; axis < grid.Dimension; axis++) position[axis] += p[c] * (centres[c][axis] + displacements[l][axis][c]);
            }
            if (weight <= 0)
            {
                // No cell claims it: fall back to the unweighted mean of every cell's vote.
                weight = cells;
                for (int axis = 0; axis < grid.Dimension; axis++)
                    position[axis] = Enumerable.Range(0, cells).Sum(c => centres[c][axis] + displacements[l][axis][c]);
            }
            for (int axis = 0; axis < grid.Dimension; axis++) position[axis] /= weight;
            estimates[l] = new PatchEstimate(position, Math.Min(1, p.Sum(v => (double)v)));
        }
        return estimates;
    }
}
