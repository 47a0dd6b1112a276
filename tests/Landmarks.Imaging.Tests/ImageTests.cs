using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Imaging.Tests;

public class ImageTests
{
    /// <summary>An image whose value is a linear function of world position, so linear resampling is exact.</summary>
    internal static Image WorldRamp(ImageGeometry g)
    {
        var image = Image.Filled(g);
        for (int k = 0; k < g.Size.Z; k++)
            for (int j = 0; j < g.Size.Y; j++)
                for (int i = 0; i < g.Size.X; i++)
                    image[i, j, k] = (float)Ramp(g.IndexToWorld(new VoxelIndex(i, j, k)));
        return image;
    }

    internal static double Ramp(WorldMm p) => 2 * p.X - 3 * p.Y + 0.5 * p.Z + 100;

    [Fact]
    public void Crop_keeps_world_position_and_pads_outside()
    {
        var g = new ImageGeometry(2, new GridSize(6, 5, 1), new Vec3(0.5, 0.25, 1), new WorldMm(1, 2, 0), Matrix3.Identity);
        var image = WorldRamp(g);
        var crop = image.Crop((4, -1, 0), new GridSize(4, 3, 1), padValue: -7);
        Assert.Equal(image[4, 0], crop[0, 1]);
        Assert.Equal(image[5, 1], crop[1, 2]);
        Assert.Equal(-7, crop[0, 0]);  // row -1 is outside
        Assert.Equal(-7, crop[2, 1]);  // column 6 is outside
        Assert.Equal(g.IndexToWorld(new VoxelIndex(4, -1, 0)), crop.Geometry.OriginMm);
    }

    [Fact]
    public void Linear_resampling_of_a_linear_ramp_is_exact_in_3D()
    {
        var source = new ImageGeometry(3, new GridSize(20, 18, 16), new Vec3(1, 1.2, 1.5), new WorldMm(-10, -10, -12), Matrix3.Identity);
        var image = WorldRamp(source);
        var target = new ImageGeometry(3, new GridSize(8, 8, 8), new Vec3(0.9, 0.8, 1.1), new WorldMm(-3, -4, -5), GeometryTests.Oblique() * Matrix3.Diagonal(new Vec3(1, 1, -1)));
        var resampled = image.Resample(target);
        for (int k = 0; k < 8; k++)
            for (int j = 0; j < 8; j++)
                for (int i = 0; i < 8; i++)
                    Assert.InRange(resampled[i, j, k] - Ramp(target.IndexToWorld(new VoxelIndex(i, j, k))), -1e-3, 1e-3);
    }

    [Fact]
    public void Nearest_resampling_takes_the_nearest_voxel_and_outside_value_beyond_the_grid()
    {
        var g = ImageGeometry.Simple(new GridSize(4, 1, 1), Vec3.One);
        var image = new Image(g, [10, 20, 30, 40]);
        Assert.Equal(20, image.Sample(new VoxelIndex(1.4, 0, 0), Interpolation.Nearest));
        Assert.Equal(30, image.Sample(new VoxelIndex(1.6, 0, 0), Interpolation.Nearest));
        Assert.Equal(25, image.Sample(new VoxelIndex(1.5, 0, 0), Interpolation.Linear), 5);
        Assert.Equal(-1, image.Sample(new VoxelIndex(3.6, 0, 0), Interpolation.Linear, -1));
        Assert.Equal(40, image.Sample(new VoxelIndex(3.4, 0, 0), Interpolation.Linear));
    }

    [Fact]
    public void Resample_to_spacing_keeps_landmark_values_at_their_world_position()
    {
        var g = new ImageGeometry(2, new GridSize(200, 150, 1), new Vec3(0.1, 0.1, 1), new WorldMm(0, 0, 0), Matrix3.Identity);
        var image = WorldRamp(g);
        var coarse = image.ResampleToSpacing(new Vec3(0.8, 0.8, 1));
        Assert.Equal(new GridSize(25, 19, 1), coarse.Size);
        var p = new WorldMm(7.3, 4.1, 0);
        Assert.InRange(coarse.Sample(coarse.Geometry.WorldToIndex(p)) - Ramp(p), -1e-3, 1e-3);
    }

    [Fact]
    public void Statistics_give_known_values()
    {
        var values = Enumerable.Range(0, 1001).Select(v => (float)v).ToArray();
        var stats = IntensityStatistics.Of(values);
        Assert.Equal(0, stats.Min);
        Assert.Equal(1000, stats.Max);
        Assert.Equal(500, stats.Mean, 6);
        Assert.Equal(500, stats.Median, 6);
        Assert.Equal(5, stats.Percentile0_5, 6);
        Assert.Equal(995, stats.Percentile99_5, 6);
        Assert.Equal(Math.Sqrt((1001.0 * 1001 - 1) / 12), stats.StandardDeviation, 6);
    }
    [Fact]
    public void Block_averages_sit_at_the_centres_of_their_blocks()
    {
        var g = new ImageGeometry(3, new GridSize(5, 4, 3), new Vec3(0.5, 1, 2), new WorldMm(10, 20, 30), GeometryTests.Oblique());
        // A ramp along each axis: a block's mean is the ramp at the block's centre.
        var image = new Image(g, [.. Enumerable.Range(0, 60).Select(n => (float)(n % 5 + 10 * (n / 5 % 4) + 100 * (n / 20)))]);
        var blocks = image.BlockAveraged(2, 2, 1);
        Assert.Equal(new GridSize(3, 2, 3), blocks.Size);
        Assert.Equal(new Vec3(1, 2, 2), blocks.Geometry.SpacingMm);
        Assert.Equal(0.5 + 10 * 0.5, blocks[0, 0, 0], 5);
        Assert.Equal(4 + 10 * 2.5 + 100 * 2, blocks[2, 1, 2], 5);  // the cut block at the far x side holds column 4 only
        Assert.True(blocks.Geometry.IndexToWorld(new VoxelIndex(1, 1, 1)).DistanceTo(g.IndexToWorld(new VoxelIndex(2.5, 2.5, 1))) < 1e-9);
    }

    [Fact]
    public void Smooth_resampling_to_a_coarser_grid_keeps_a_blurred_spot_where_it_was_and_to_the_same_grid_keeps_every_value()
    {
        var g = new ImageGeometry(3, new GridSize(60, 50, 40), new Vec3(0.4, 0.4, 0.6), new WorldMm(-7, 3, 11), Matrix3.Identity);
        var spot = new WorldMm(-7 + 0.4 * 31.3, 3 + 0.4 * 22.6, 11 + 0.6 * 17.2);
        var image = Image.Filled(g);
        for (int k = 0; k < 40; k++)
            for (int j = 0; j < 50; j++)
                for (int i = 0; i < 60; i++)
                    image[i, j, k] = (float)Math.Exp(-0.5 * Math.Pow(g.IndexToWorld(new VoxelIndex(i, j, k)).DistanceTo(spot) / 2.0, 2)) * 1000;
        var coarse = GaussianFilter.ResampleSmoothly(image, new Vec3(2.1, 2.1, 2.1));
        Assert.Equal(g.Resampled(new Vec3(2.1, 2.1, 2.1)), coarse.Geometry);
        // The brightness-weighted centre of the coarse image is the spot's position, within a small part of a coarse voxel.
        double w = 0;
        var centre = Vec3.Zero;
        for (int k = 0; k < coarse.Size.Z; k++)
            for (int j = 0; j < coarse.Size.Y; j++)
                for (int i = 0; i < coarse.Size.X; i++)
                {
                    w += coarse[i, j, k];
                    centre += coarse.Geometry.IndexToWorld(new VoxelIndex(i, j, k)).AsVector() * coarse[i, j, k];
                }
        Assert.True((centre / w - spot.AsVector()).Length < 0.2, $"centre {centre / w}, spot {spot}");
        // To its own spacing nothing is smoothed or moved: CT values stay exact.
        var same = GaussianFilter.ResampleSmoothly(image, g.SpacingMm);
        Assert.Equal(image.Voxels, same.Voxels);
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(1000, 0, 0)]
    [InlineData(4097, 3, 0)]
    [InlineData(5000, 7, 2)]
    [InlineData(300, 0, 300)]
    public void Order_statistics_are_what_a_sort_places_at_each_rank_with_runs_of_one_value_and_NaN(int count, int nans, int special)
    {
        var random = new Random(count);
        // Images have long runs of one value (background): a third of the values are 0. Special values: an infinity each
        // way, or all of them one value.
        var values = Enumerable.Range(0, count).Select(n => n < nans ? float.NaN : random.Next(3) == 0 ? 0f : (float)Math.Round(random.NextDouble() * 50, 1)).ToArray();
        if (special == 2) (values[^1], values[^2]) = (float.PositiveInfinity, float.NegativeInfinity);
        if (special == count) Array.Fill(values, 7.5f);
        random.Shuffle(values);
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        int[] ranks = [.. new[] { 0, nans, count / 200, count / 200 + 1, count / 2, count - 1 - count / 200, count - 1 }.Where(k => k < count)];
        var statistics = new OrderStatistics(values);
        foreach (int k in ranks) Assert.Equal(sorted[k], statistics.At(k));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Smoothing_and_resampling_in_one_pass_equal_smoothing_then_resampling(int dimension)
    {
        var random = new Random(dimension);
        var size = new GridSize(41, 29, dimension == 3 ? 17 : 1);
        var g = new ImageGeometry(dimension, size, new Vec3(0.1, 0.13, dimension == 3 ? 0.2 : 1), new WorldMm(3, -4, 5), Matrix3.Identity);
        var image = new Image(g, [.. Enumerable.Range(0, (int)size.VoxelCount).Select(_ => (float)random.NextDouble() * 1000)]);
        var sigmaMm = new Vec3(0.14, 0.2, dimension == 3 ? 0.25 : 0);
        // A coarser grid over the same box, and one shifted by a fraction of a voxel whose last voxels lie past the
        // source (outside: 0).
        var shifted = new ImageGeometry(dimension, new GridSize(15, 14, dimension == 3 ? 7 : 1), new Vec3(0.3, 0.3, dimension == 3 ? 0.5 : 1), new WorldMm(3.07, -3.96, 5.03), Matrix3.Identity);
        foreach (var target in new[] { g.Resampled(new Vec3(0.3, 0.37, 0.45)), shifted })
        {
            var expected = GaussianFilter.Smooth(image, sigmaMm).Resample(target, Interpolation.Linear);
            var sigmaVoxels = new Vec3(sigmaMm.X / 0.1, sigmaMm.Y / 0.13, dimension == 3 ? sigmaMm.Z / 0.2 : 0);
            var folded = Resampler.SmoothedAligned(image, target, sigmaVoxels);
            Assert.Equal(target, folded.Geometry);
            for (int n = 0; n < expected.Voxels.Length; n++) Assert.Equal(expected.Voxels[n], folded.Voxels[n], 0.002);
            Assert.Contains(0f, folded.Voxels);
        }
    }

    [Fact]
    public void Smoothing_equals_a_direct_convolution_with_edges_extended_along_every_axis()
    {
        var g = new ImageGeometry(3, new GridSize(37, 21, 13), new Vec3(0.5, 0.7, 1.1), new WorldMm(0, 0, 0), Matrix3.Identity);
        var random = new Random(5);
        var image = new Image(g, [.. Enumerable.Range(0, 37 * 21 * 13).Select(_ => (float)random.NextDouble() * 100)]);
        var sigmaMm = new Vec3(0.9, 1.0, 1.5);
        var smoothed = GaussianFilter.Smooth(image, sigmaMm);
        // The same Gaussian (radius 3 sigma, normalised), applied axis after axis, written plainly.
        var expected = image.Voxels.Select(v => (double)v).ToArray();
        int[] counts = [37, 21, 13];
        for (int axis = 0; axis < 3; axis++)
        {
            double sigma = sigmaMm[axis] / g.SpacingMm[axis];
            int radius = (int)Math.Ceiling(3 * sigma);
            var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(q => Math.Exp(-0.5 * q * q / (sigma * sigma))).ToArray();
            double total = weights.Sum();
            var next = new double[expected.Length];
            for (int k = 0; k < 13; k++)
                for (int j = 0; j < 21; j++)
                    for (int i = 0; i < 37; i++)
                    {
                        int[] at = [i, j, k];
                        double sum = 0;
                        for (int q = -radius; q <= radius; q++)
                        {
                            int[] from = [.. at];
                            from[axis] = Math.Clamp(at[axis] + q, 0, counts[axis] - 1);
                            sum += weights[q + radius] / total * expected[from[0] + 37 * (from[1] + 21 * from[2])];
                        }
                        next[i + 37 * (j + 21 * k)] = sum;
                    }
            expected = next;
        }
        for (int n = 0; n < expected.Length; n++) Assert.Equal(expected[n], smoothed.Voxels[n], tolerance: 1e-3);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public void Resampling_along_the_source_axes_gives_what_sampling_each_voxel_gives_inside_and_outside(int dimension)
    {
        var direction = Matrix3.AxisAngle(new Vec3(0, 0, 1), 0.3);
        var size = new GridSize(23, 17, dimension == 3 ? 11 : 1);
        var g = new ImageGeometry(dimension, size, new Vec3(0.5, 0.7, 1.1), new WorldMm(3, -2, 5), direction);
        var random = new Random(dimension);
        var image = new Image(g, [.. Enumerable.Range(0, 23 * 17 * size.Z).Select(_ => (float)random.NextDouble() * 100)]);
        // Coarser, finer and shifted so that part of the target lies outside the source.
        var target = new ImageGeometry(dimension, new GridSize(30, 9, dimension == 3 ? 8 : 1), new Vec3(0.45, 1.6, dimension == 3 ? 1.7 : 1.1),
            g.IndexToWorld(new VoxelIndex(-3.3, 2.25, dimension == 3 ? -1.5 : 0)), direction);
        Assert.True(Resampler.AlongSourceAxes(g, target));
        Assert.False(Resampler.AlongSourceAxes(g, new ImageGeometry(dimension, target.Size, target.SpacingMm, target.OriginMm, Matrix3.AxisAngle(new Vec3(0, 0, 1), 0.31))));
        var resampled = image.Resample(target, Interpolation.Linear, -1);
        int outside = 0;
        for (int k = 0; k < target.Size.Z; k++)
            for (int j = 0; j < target.Size.Y; j++)
                for (int i = 0; i < target.Size.X; i++)
                {
                    float expected = image.Sample(g.WorldToIndex(target.IndexToWorld(new VoxelIndex(i, j, k))), Interpolation.Linear, -1);
                    Assert.Equal(expected, resampled[i, j, k], 4);
                    if (expected == -1) outside++;
                }
        Assert.InRange(outside, 1, target.Size.VoxelCount - 1);
    }
}
