using Landmarks.Inference.Patches;
using Landmarks.Inference.Stages;
using Landmarks.Learning.Data;
using Landmarks.Learning.Targets;

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
}
