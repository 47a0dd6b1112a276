using Landmarks.Inference.Patches;
using Landmarks.Inference.Stages;
using Landmarks.Learning.Data;
using Landmarks.Learning.Networks;
using Landmarks.Learning.Targets;
using Landmarks.Learning.Training;
using static TorchSharp.torch;

namespace Landmarks.Learning.Tests;

public class TargetTests
{
    [Fact]
    public void Targets_mark_the_cell_holding_the_landmark_and_point_every_cell_at_it()
    {
        var grid = new PatchGrid([32, 24], 8);
        var landmark = new CropVoxel(17.6, 3.2, 0);
        using var targets = PatchTargets.Build(grid, [[landmark, null]]);
        var classes = targets.Classes[0, 0].data<float>().ToArray();
        Assert.Equal(1, classes.Sum());
        int flat = Array.IndexOf(classes, 1f);
        Assert.Equal([2, 0], grid.CellOf(flat));  // x 17.6 lies in cell 2 (15.5..23.5), y 3.2 in cell 0
        var displacement = targets.CompressedDisplacements[0, 0].data<float>().ToArray().Select(v => SignedLog.Expand(v)).ToArray();
        for (int c = 0; c < grid.CellCount; c++)
            for (int axis = 0; axis < 2; axis++)
                Assert.Equal(landmark[axis], grid.CentreOfCell(c)[axis] + displacement[axis * grid.CellCount + c], 3);
        Assert.Equal([1f, 0f], targets.Mask.data<float>().ToArray());
        Assert.Equal(0, targets.Classes[0, 1].sum().item<float>());
    }

    [Fact]
    public void Near_cells_are_those_within_one_and_a_half_cells_along_every_axis()
    {
        var grid = new PatchGrid([8, 8], 2);  // cell centres 0.5, 2.5, 4.5, 6.5 along each axis
        using var targets = PatchTargets.Build(grid, [[new CropVoxel(2.5, 4.5, 0)]]);
        var near = targets.Near[0, 0].data<float>().ToArray();
        // Within 3 voxels: x centres 0.5, 2.5, 4.5 (6.5 is 4 away); y centres 2.5, 4.5, 6.5 (0.5 is 4 away).
        var expected = Enumerable.Range(0, grid.CellCount).Select(c => grid.CellOf(c) is [var x, var y] && x <= 2 && y >= 1 ? 1f : 0f);
        Assert.Equal(expected, near);
        Assert.Equal(9, near.Sum());
    }

    [Fact]
    public void A_hidden_landmark_has_no_cell_but_keeps_its_displacements()
    {
        var grid = new PatchGrid([32, 24], 8);
        var landmark = new CropVoxel(17.6, 3.2, 0);
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
                        Assert.Equal(Augmentation.InBox(new CropVoxel(i, j, k), box) ? 1f : 0f, voxels[(k * 12 + j) * 20 + i]);
        }
    }

    [Fact]
    public void The_displacement_loss_is_half_over_all_cells_and_half_over_the_near_ones()
    {
        var grid = new PatchGrid([8, 8], 2);
        using var targets = PatchTargets.Build(grid, [[new CropVoxel(2.5, 4.5, 0), null]]);
        // Every compressed displacement off by 0.1, those of the 9 near cells by 0.4; logits 0 (BCE ln 2 per cell).
        var nearPerComponent = targets.Near.unsqueeze(2).expand(targets.CompressedDisplacements.shape);
        using var prediction = new PatchPrediction(zeros(1, 2, 4, 4), targets.CompressedDisplacements + 0.1 + 0.3 * nearPerComponent);
        var loss = PatchLoss.Compute(prediction, targets, alpha: 2);
        double overAll = (0.1 * 7 + 0.4 * 9) / 16, overNear = 0.4;
        Assert.Equal(0.5 * overAll + 0.5 * overNear, loss.Regression, 1e-5);
        Assert.Equal(Math.Log(2), loss.Classification, 1e-5);
        Assert.Equal(loss.Regression + 2 * Math.Log(2), loss.TotalValue, 1e-5);
    }
}
