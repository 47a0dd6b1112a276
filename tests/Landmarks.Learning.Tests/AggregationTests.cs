using Landmarks.Learning.Data;
using Landmarks.Learning.Inference;
using Landmarks.Learning.Networks;
using TorchSharp;
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

    [Fact]
    public void A_hidden_landmark_has_no_cell_but_keeps_its_displacements()
    {
        var grid = new PatchGrid([32, 24], 8);
        double[] landmark = [17.6, 3.2];
        using var seen = PatchTargets.Build(grid, [[landmark]]);
        using var hidden = PatchTargets.Build(grid, [[landmark]], [[true]]);
        Assert.Equal(0, hidden.Classes.sum().item<float>());
        Assert.Equal(seen.CompressedDisplacements.data<float>().ToArray(), hidden.CompressedDisplacements.data<float>().ToArray());
        Assert.Equal([1f], hidden.Mask.data<float>().ToArray());
    }

    [Fact]
    public void Keeping_part_of_a_crop_blanks_exactly_the_rest()
    {
        int[] size = [20, 12, 6];
        var rng = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            var voxels = Enumerable.Repeat(1f, 20 * 12 * 6).ToArray();
            var box = Augmentation.KeepPart(rng, voxels, size, 0.5);
            for (int axis = 0; axis < 3; axis++)
            {
                Assert.InRange(box.High[axis] - box.Low[axis], (int)Math.Ceiling(size[axis] * 0.5), size[axis]);
                Assert.InRange(box.Low[axis], 0, size[axis]);
                Assert.InRange(box.High[axis], 0, size[axis]);
            }
            for (int k = 0; k < 6; k++)
                for (int j = 0; j < 12; j++)
                    for (int i = 0; i < 20; i++)
                        Assert.Equal(Augmentation.InBox([i, j, k], box) ? 1f : 0f, voxels[(k * 12 + j) * 20 + i]);
        }
    }

    [Fact]
    public void A_wild_displacement_vote_is_held_to_the_width_of_the_input()
    {
        var grid = new PatchGrid([16, 16], 2);  // 8x8 cells
        var logits = torch.full([1, 1, 8, 8], -10f);
        logits[0, 0, 3, 4] = torch.tensor(5f);  // one confident cell, x 4 y 3: centre (8.5, 6.5)
        var compressed = torch.zeros([1, 1, 2, 8, 8]);
        compressed[0, 0, 0, 3, 4] = torch.tensor(8f);  // 10^8 input voxels to the right, from the log scale
        using var prediction = new PatchPrediction(logits, compressed);
        var estimate = Localizer.Decode(prediction, grid, topCells: 1, presenceOfTopCells: false)[0];
        Assert.Equal(8.5 + 16, estimate.InputVoxel[0], 3);  // held to +16 voxels, the input's width
        Assert.Equal(6.5, estimate.InputVoxel[1], 3);
    }
}
