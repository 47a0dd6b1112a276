using Landmarks.Learning.Inference;
using Landmarks.Learning.Targets;

namespace Landmarks.Learning.Tests;

public class AggregationTests
{
    /// <summary>Ideal network outputs for a landmark: every cell's displacement points exactly at it.</summary>
    private static (float[][] P, float[][][] D) Ideal(PatchGrid grid, double[][] landmarks, Func<int, int, float> probability)
    {
        int cells = grid.CellCount;
        var p = new float[landmarks.Length][];
        var d = new float[landmarks.Length][][];
        for (int l = 0; l < landmarks.Length; l++)
        {
            p[l] = Enumerable.Range(0, cells).Select(c => probability(l, c)).ToArray();
            d[l] = new float[grid.Dimension][];
            for (int axis = 0; axis < grid.Dimension; axis++)
                d[l][axis] = Enumerable.Range(0, cells).Select(c => (float)(landmarks[l][axis] - grid.CentreOf(grid.CellOf(c)[axis]))).ToArray();
        }
        return (p, d);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Ideal_outputs_give_the_exact_landmark_in_2D(int topCells)
    {
        var grid = new PatchGrid([64, 48], 8);
        double[][] landmarks = [[13.25, 40.5], [0, 0], [63.5, 2.75]];
        var (p, d) = Ideal(grid, landmarks, (l, c) => c == grid.FlatCellContaining(landmarks[l]) ? 0.9f : 0.01f * (c % 7));
        var estimates = PatchAggregation.Aggregate(grid, p, d, topCells);
        for (int l = 0; l < landmarks.Length; l++)
            for (int axis = 0; axis < 2; axis++)
                Assert.Equal(landmarks[l][axis], estimates[l].InputVoxel[axis], 4);
    }

    [Fact]
    public void Ideal_outputs_give_the_exact_landmark_in_3D_and_presence_follows_the_probabilities()
    {
        var grid = new PatchGrid([16, 16, 24], 4);
        double[][] landmarks = [[5.5, 11.25, 20.0]];
        int inside = grid.FlatCellContaining(landmarks[0]);
        var (p, d) = Ideal(grid, landmarks, (_, c) => c == inside ? 0.97f : 0f);
        var estimate = Assert.Single(PatchAggregation.Aggregate(grid, p, d, 27));
        Assert.Equal(landmarks[0], estimate.InputVoxel.Select(v => Math.Round(v, 4)).ToArray());
        Assert.Equal(0.97, estimate.Presence, 5);

        var (none, _) = Ideal(grid, landmarks, (_, _) => 0.0001f);
        Assert.True(PatchAggregation.Aggregate(grid, none, d, 27)[0].Presence < 0.2);
    }

    [Fact]
    public void Targets_mark_the_cell_holding_the_landmark_and_point_every_cell_at_it()
    {
        var grid = new PatchGrid([32, 24], 8);
        double[] landmark = [17.6, 3.2];
        using var targets = PatchTargets.Build(grid, [[landmark, null]]);
        var classes = targets.Classes[0, 0].data<float>().ToArray();
        Assert.Equal(1, classes.Sum());
        int flat = Array.IndexOf(classes, 1f);
        Assert.Equal([2, 0], grid.CellOf(flat));  // x 17.6 lies in cell 2 (15.5..23.5), y 3.2 in cell 0
        var displacement = SignedLog.Expand(targets.CompressedDisplacements[0, 0]).data<float>().ToArray();
        for (int c = 0; c < grid.CellCount; c++)
            for (int axis = 0; axis < 2; axis++)
                Assert.Equal(landmark[axis], grid.CentreOf(grid.CellOf(c)[axis]) + displacement[axis * grid.CellCount + c], 3);
        Assert.Equal([1f, 0f], targets.Mask.data<float>().ToArray());
        Assert.Equal(0, targets.Classes[0, 1].sum().item<float>());
    }
}
