using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Model;
using Landmarks.Inference.Patches;
using Landmarks.Inference.Stages;

namespace Landmarks.Inference.Tests;

public class AggregationTests
{
    /// <summary>Ideal network outputs for a landmark: every cell's displacement points exactly at it.</summary>
    private static (float[][] P, float[][][] D) Ideal(PatchGrid grid, CropVoxel[] landmarks, Func<int, int, float> probability)
    {
        int cells = grid.CellCount;
        var p = new float[landmarks.Length][];
        var d = new float[landmarks.Length][][];
        for (int l = 0; l < landmarks.Length; l++)
        {
            p[l] = [.. Enumerable.Range(0, cells).Select(c => probability(l, c))];
            d[l] = new float[grid.Dimension][];
            for (int axis = 0; axis < grid.Dimension; axis++)
                d[l][axis] = [.. Enumerable.Range(0, cells).Select(c => (float)(landmarks[l][axis] - grid.CentreOfCell(c)[axis]))];
        }
        return (p, d);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Ideal_outputs_give_the_exact_landmark_in_2D(int topCells)
    {
        var grid = new PatchGrid([64, 48], 8);
        CropVoxel[] landmarks = [new(13.25, 40.5, 0), new(0, 0, 0), new(63.5, 2.75, 0)];
        var (p, d) = Ideal(grid, landmarks, (l, c) => c == grid.FlatCellContaining(landmarks[l]) ? 0.9f : 0.01f * (c % 7));
        var estimates = PatchAggregation.Aggregate(grid, p, d, topCells);
        for (int l = 0; l < landmarks.Length; l++)
        {
            Assert.Equal(landmarks[l].X, estimates[l].Position.X, 4);
            Assert.Equal(landmarks[l].Y, estimates[l].Position.Y, 4);
        }
    }

    [Fact]
    public void Ideal_outputs_give_the_exact_landmark_in_3D_and_presence_follows_the_probabilities()
    {
        var grid = new PatchGrid([16, 16, 24], 4);
        CropVoxel[] landmarks = [new(5.5, 11.25, 20.0)];
        int inside = grid.FlatCellContaining(landmarks[0]);
        var (p, d) = Ideal(grid, landmarks, (_, c) => c == inside ? 0.97f : 0f);
        var estimate = Assert.Single(PatchAggregation.Aggregate(grid, p, d, 27));
        Assert.True((estimate.Position.AsVector() - landmarks[0].AsVector()).Length < 1e-4);
        Assert.Equal(0.97, estimate.Presence, 5);

        var (none, _) = Ideal(grid, landmarks, (_, _) => 0.0001f);
        Assert.True(PatchAggregation.Aggregate(grid, none, d, 27)[0].Presence < 0.2);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 1178)]
    [InlineData(4, 576)]
    [InlineData(27, 30)]
    public void The_most_probable_cells_are_those_a_stable_sort_takes_first(int count, int cells)
    {
        var random = new Random(cells);
        // Few distinct values, so that ties are common; NaN (a broken network) ranks last.
        var p = Enumerable.Range(0, cells).Select(_ => random.Next(20) == 0 ? float.NaN : random.Next(12) / 11f).ToArray();
        int[] sorted = [.. Enumerable.Range(0, cells).OrderByDescending(c => p[c]).ThenBy(c => c).Take(count)];
        Assert.Equal(sorted, PatchAggregation.MostProbable(p, Math.Min(count, cells)));
    }

    [Fact]
    public void The_whole_stage_image_as_a_crop_is_its_voxels_padded_with_zeros()
    {
        var geometry = new ImageGeometry(3, new GridSize(7, 5, 3), Vec3.One, new WorldMm(2, 1, -4), Matrix3.Identity);
        var random = new Random(3);
        var stage = StageImage.Prepare(new Image(geometry, [.. Enumerable.Range(0, 105).Select(_ => (float)random.NextDouble())]), 1);
        int[] padded = [8, 8, 4];
        var crop = CropTransform.Whole(padded).Sample(stage);
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 8; j++)
                for (int i = 0; i < 8; i++)
                    Assert.Equal(i < 7 && j < 5 && k < 3 ? stage.Image[i, j, k] : 0f, crop[(k * 8 + j) * 8 + i]);
        // Shifted by a voxel, the same grid goes through interpolation and agrees.
        var shifted = new CropTransform(Matrix3.Identity, new Vec3(1, 0, 0), padded).Sample(stage);
        Assert.Equal(crop[1], shifted[0]);
        Assert.Equal(0f, shifted[6]);
    }

    [Fact]
    public void A_wild_displacement_vote_is_held_to_the_width_of_the_input()
    {
        var grid = new PatchGrid([16, 16], 2);  // 8x8 cells
        var logits = Enumerable.Repeat(-10f, 64).ToArray();
        var compressed = new float[2 * 64];
        int cell = 3 * 8 + 4;  // x 4, y 3: centre (8.5, 6.5)
        logits[cell] = 5f;
        compressed[cell] = 8f;  // 10^8 input voxels to the right, from the log scale
        var output = new PatchOutput(1, 1, 2, 64, logits, compressed);
        var estimate = Localizer.Decode(output, 0, grid, topCells: 1, presenceOfTopCells: false)[0];
        Assert.Equal(8.5 + 16, estimate.Position.X, 3);  // held to +16 voxels, the input's width
        Assert.Equal(6.5, estimate.Position.Y, 3);
    }
}
