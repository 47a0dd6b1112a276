using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Images;

/// <summary>Separable Gaussian smoothing, used before downsampling so that coarse grids do not alias.</summary>
public static class GaussianFilter
{
    /// <summary>Smooths with a standard deviation of <paramref name="sigmaMm"/> along every axis of the grid (in mm).</summary>
    public static Image Smooth(Image image, double sigmaMm) => Smooth(image, new Vec3(sigmaMm, sigmaMm, sigmaMm));

    /// <summary>Smooths with a standard deviation per grid axis (in mm).</summary>
    public static Image Smooth(Image image, Vec3 sigmaMm)
    {
        var voxels = (float[])image.Voxels.Clone();
        var size = image.Size;
        int[] counts = [size.X, size.Y, size.Z];
        int[] strides = [1, size.X, size.X * size.Y];
        for (int axis = 0; axis < 3; axis++)
        {
            double sigma = sigmaMm[axis] / image.Geometry.SpacingMm[axis];
            if (counts[axis] == 1 || sigma < 0.2) continue;
            var kernel = Kernel(sigma);
            SmoothAxis(voxels, counts, strides, axis, kernel);
        }
        return new Image(image.Geometry, voxels);
    }

    /// <summary>The smoothing that makes a grid of <paramref name="sourceSpacingMm"/> fit for resampling to
    /// <paramref name="targetSpacingMm"/>: sigma = sqrt(target² - source²) / 2, zero when not downsampling.</summary>
    public static double AntiAliasSigmaMm(double sourceSpacingMm, double targetSpacingMm) =>
        targetSpacingMm <= sourceSpacingMm ? 0 : Math.Sqrt(targetSpacingMm * targetSpacingMm - sourceSpacingMm * sourceSpacingMm) / 2;

    /// <summary>
    /// The image on a grid of <paramref name="targetSpacingMm"/> over the same region, anti-aliased. A Gaussian at the
    /// source resolution costs in proportion to its width on every source voxel: on a CT of 10^8 voxels going to a grid
    /// five times coarser, seconds. So blocks of voxels are averaged first (as many per axis as fit twice in a target
    /// voxel: a box filter, whose variance counts towards the smoothing), and the Gaussian makes up the rest of the
    /// smoothing on the smaller grid. Grids not coarsened along an axis are not touched along it.
    /// </summary>
    public static Image ResampleSmoothly(Image source, Vec3 targetSpacingMm)
    {
        var g = source.Geometry;
        int Factor(int axis) => axis == 2 && g.Dimension == 2 ? 1 : Math.Max(1, (int)Math.Floor(targetSpacingMm[axis] / (2 * g.SpacingMm[axis])));
        var reduced = source.BlockAveraged(Factor(0), Factor(1), Factor(2));
        double Remaining(int axis)
        {
            if (axis == 2 && g.Dimension == 2) return 0;
            double s = g.SpacingMm[axis], f = Factor(axis);
            double wanted = AntiAliasSigmaMm(s, targetSpacingMm[axis]), box = s * s * (f * f - 1) / 12;
            return Math.Sqrt(Math.Max(0, wanted * wanted - box));
        }
        var sigma = new Vec3(Remaining(0), Remaining(1), Remaining(2));
        var smoothed = sigma.X > 0 || sigma.Y > 0 || sigma.Z > 0 ? Smooth(reduced, sigma) : reduced;
        return smoothed.Resample(g.Resampled(targetSpacingMm), Interpolation.Linear);
    }

    private static float[] Kernel(double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = (float)Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= (float)sum;
        return kernel;
    }

    private static void SmoothAxis(float[] voxels, int[] counts, int[] strides, int axis, float[] kernel)
    {
        int n = counts[axis], stride = strides[axis], radius = kernel.Length / 2;
        // Every line along the axis starts at an offset with a zero index on that axis.
        var starts = new List<int>();
        for (int k = 0; k < (axis == 2 ? 1 : counts[2]); k++)
            for (int j = 0; j < (axis == 1 ? 1 : counts[1]); j++)
                for (int i = 0; i < (axis == 0 ? 1 : counts[0]); i++)
                    starts.Add(i + j * strides[1] + k * strides[2]);
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, starts.Count), range =>
        {
            var line = new float[n];
            for (int s = range.Item1; s < range.Item2; s++)
            {
                int start = starts[s];
                for (int t = 0; t < n; t++) line[t] = voxels[start + t * stride];
                for (int t = 0; t < n; t++)
                {
                    double sum = 0;
                    for (int q = -radius; q <= radius; q++)
                        sum += kernel[q + radius] * line[Math.Clamp(t + q, 0, n - 1)];  // edge voxels extend outwards
                    voxels[start + t * stride] = (float)sum;
                }
            }
        });
    }
}
