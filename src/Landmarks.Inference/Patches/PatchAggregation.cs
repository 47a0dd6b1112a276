using Landmarks.Inference.Stages;

namespace Landmarks.Inference.Patches;

/// <summary>A landmark estimate in the input crop's voxels and how sure the network is that the landmark is in the input at all.</summary>
public sealed record PatchEstimate(CropVoxel Position, double Presence);

/// <summary>
/// Aggregation of Noothout et al. 2020: landmark = sum_p P(p) (centre_p + d_p) / sum_p P(p). Over the
/// <c>topCells</c> most probable cells only (all when 0): measured here to be more accurate and
/// steadier than the average over every cell. Presence is the probability mass sum_p P(p), capped at 1:
/// about 1 when exactly one cell claims the landmark, near 0 when none does.
/// </summary>
public static class PatchAggregation
{
    /// <param name="probabilities">[landmark][cell] sigmoid of the logits.</param>
    /// <param name="displacements">[landmark][axis][cell] expanded displacements in input voxels.</param>
    /// <param name="presenceOfTopCells">Presence is the mass of the <paramref name="topCells"/> cells that placed the
    /// landmark, not of all cells: the global stage's images vary in size, and the small probabilities of thousands
    /// of empty cells would otherwise add up to "present" on a large image.</param>
    public static PatchEstimate[] Aggregate(PatchGrid grid, float[][] probabilities, float[][][] displacements, int topCells, bool presenceOfTopCells = false)
    {
        int cells = grid.CellCount;
        var centres = new CropVoxel[cells];
        for (int c = 0; c < cells; c++) centres[c] = grid.CentreOfCell(c);
        var estimates = new PatchEstimate[probabilities.Length];
        for (int l = 0; l < probabilities.Length; l++)
        {
            var p = probabilities[l];
            int[] chosen = topCells > 0 && topCells < cells ? MostProbable(p, topCells) : [.. Enumerable.Range(0, cells)];
            var position = new double[3];
            double weight = 0;
            double presence = Math.Min(1, presenceOfTopCells ? chosen.Sum(c => (double)p[c]) : p.Sum(v => (double)v));
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
            estimates[l] = new PatchEstimate(new CropVoxel(position[0] / weight, position[1] / weight, position[2] / weight), presence);
        }
        return estimates;
    }

    /// <summary>The <paramref name="count"/> most probable cells, most probable first, ties by lower index (what a
    /// stable sort by falling probability takes), kept in one small sorted array as the cells go by: a full sort of a
    /// cephalogram's 1200 cells for each of 19 landmarks was a twentieth of its prediction time.</summary>
    internal static int[] MostProbable(float[] p, int count)
    {
        var best = new int[count];
        int held = 0;
        for (int c = 0; c < p.Length; c++)
        {
            // A later cell goes before held ones only if strictly more probable: ties keep the lower index first.
            if (held == count && !Beats(p[c], p[best[count - 1]])) continue;
            int at = Math.Min(held, count - 1);
            while (at > 0 && Beats(p[c], p[best[at - 1]]))
            {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = c;
            if (held < count) held++;
        }
        return best;
    }

    /// <summary>Whether a probability ranks before another: NaN (a broken network's) ranks last, as the sort put it.</summary>
    private static bool Beats(float a, float b) => a > b || (float.IsNaN(b) && !float.IsNaN(a));
}
