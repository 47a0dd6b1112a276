using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Stages;

namespace Landmarks.Inference.Tests;

public class PresenceCalibrationTests
{
    [Fact]
    public void Separable_confidences_get_the_threshold_halfway_between_them()
    {
        Assert.Equal(0.45, PresenceCalibration.ChooseThreshold([0.6, 0.8, 0.9], [0.05, 0.1, 0.3]), 12);
    }

    [Fact]
    public void Overlapping_confidences_get_the_threshold_of_lowest_balanced_error()
    {
        // At 0.85: 2 of 4 present ones called absent, none of the absent ones present (error 0.5); at 0.45: 1/4 + 1/3.
        Assert.Equal(0.85, PresenceCalibration.ChooseThreshold([0.2, 0.7, 0.9, 0.95], [0.1, 0.3, 0.8]), 12);
        // Everything present at 1: the threshold must still call them present.
        Assert.Equal(0.55, PresenceCalibration.ChooseThreshold([1, 1], [0.1]), 12);
    }

    [Fact]
    public void Views_are_the_whole_grid_and_both_halves_along_each_axis()
    {
        var views = PresenceCalibration.Views([10, 7]).Select(v => $"{string.Join(",", v.Start)}+{string.Join("x", v.Size)}");
        Assert.Equal(["0,0+10x7", "0,0+5x7", "5,0+5x7", "0,0+10x3", "0,3+10x4"], views);
        Assert.Equal(7, PresenceCalibration.Views([4, 6, 9]).Count());
    }

    [Theory]
    [InlineData(10, 5, true)]     // well inside the kept half; near the image's own border, which is no cut
    [InlineData(28, 5, null)]     // 3.5 voxels from the cut at 31.5: ambiguous
    [InlineData(45, 5, false)]    // beyond the cut
    [InlineData(10, -3, false)]   // beyond the image's own border
    public void Landmarks_near_a_cut_are_left_out_of_calibration(double x, double y, bool? expected)
    {
        Assert.Equal(expected, PresenceCalibration.InView(new StageVoxel(x, y, 0), [0, 0], [32, 64], [64, 64], patch: 8));
    }

    [Fact]
    public void The_upper_half_sees_landmarks_in_its_own_voxels()
    {
        // Upper half along x of a 64-wide grid: whole-grid x 50 is view x 18, inside; whole-grid x 20 is view x -12, cut off.
        Assert.Equal(true, PresenceCalibration.InView(new StageVoxel(18, 30, 0), [32, 0], [32, 64], [64, 64], 8));
        Assert.Equal(false, PresenceCalibration.InView(new StageVoxel(-12, 30, 0), [32, 0], [32, 64], [64, 64], 8));
        Assert.Null(PresenceCalibration.InView(new StageVoxel(2, 30, 0), [32, 0], [32, 64], [64, 64], 8));
    }

    [Fact]
    public void A_part_keeps_its_place_in_the_world_and_gets_its_own_intensity_range()
    {
        var geometry = new ImageGeometry(2, new GridSize(40, 30, 1), new Vec3(0.5, 0.5, 1), new WorldMm(-3, 7, 0), Matrix3.Identity);
        var image = new Image(geometry, [.. Enumerable.Range(0, 40 * 30).Select(n => (float)(n % 40))]);
        var whole = StageImage.Prepare(image, 1.0);
        var part = whole.Part([10, 0], [10, 15]);
        Assert.Equal([10, 15], part.Size);
        var world = whole.ToWorld(new StageVoxel(13, 4, 0));
        var inPart = part.ToVoxel(world);
        Assert.Equal(3.0, inPart.X, 9);
        Assert.Equal(4.0, inPart.Y, 9);
        // The whole image's intensities rise along x; the part's own 0.5th to 99.5th percentiles span 0 to 1 again.
        Assert.InRange(part.Image.Voxels.Min(), -0.05f, 0.05f);
        Assert.InRange(part.Image.Voxels.Max(), 0.95f, 1.05f);
    }
}
