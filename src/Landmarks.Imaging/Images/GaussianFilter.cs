using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
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
            var kernel = Kernel(sigma).Select(w => (float)w).ToArray();
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
        var spacing = reduced.Geometry.SpacingMm;
        var sigmaVoxels = new Vec3(Remaining(0) / spacing.X, Remaining(1) / spacing.Y, Remaining(2) / spacing.Z);
        return Resampler.SmoothedAligned(reduced, g.Resampled(targetSpacingMm), sigmaVoxels);
    }

    /// <summary>A Gaussian of <paramref name="sigma"/> voxels sampled out to three sigmas, summing to 1.</summary>
    internal static double[] Kernel(double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        return kernel;
    }

    /// <summary>Convolves every line along <paramref name="axis"/> with the kernel, edge voxels extending outwards. Along x
    /// each line is padded once and swept with SIMD vectors; along y and z whole rows (contiguous in memory) are weighted
    /// and added, so every inner loop runs over contiguous floats.</summary>
    private static void SmoothAxis(float[] voxels, int[] counts, int[] strides, int axis, float[] kernel)
    {
        int radius = kernel.Length / 2;
        if (axis == 0)
        {
            int n = counts[0];
            Parallel.ForEach(Partitioner.Create(0, counts[1] * counts[2]), range =>
            {
                var padded = new float[n + 2 * radius];
                for (int line = range.Item1; line < range.Item2; line++)
                {
                    var values = voxels.AsSpan(line * n, n);
                    values.CopyTo(padded.AsSpan(radius));
                    padded.AsSpan(0, radius).Fill(values[0]);
                    padded.AsSpan(radius + n).Fill(values[n - 1]);
                    Convolve(padded, kernel, values);
                }
            });
            return;
        }
        // Along y: rows of x within one slice; along z: whole slices. Either way a "row" is contiguous.
        int rowLength = axis == 1 ? counts[0] : counts[0] * counts[1];
        int rows = counts[axis], rowStride = strides[axis], groups = axis == 1 ? counts[2] : 1, groupStride = strides[2];
        var source = (float[])voxels.Clone();
        // Parallel over groups and over parts of a row, so 2D images (one group) use every core too.
        int partLength = Math.Max(Vector<float>.Count, (rowLength + 3) / 4 / Vector<float>.Count * Vector<float>.Count);
        int parts = (rowLength + partLength - 1) / partLength;
        Parallel.For(0, groups * parts, job =>
        {
            int group = job / parts, from = job % parts * partLength, length = Math.Min(partLength, rowLength - from);
            int origin = group * groupStride + from;
            for (int t = 0; t < rows; t++)
            {
                var output = voxels.AsSpan(origin + t * rowStride, length);
                output.Clear();
                for (int q = -radius; q <= radius; q++)
                    AddScaled(source.AsSpan(origin + Math.Clamp(t + q, 0, rows - 1) * rowStride, length), kernel[q + radius], output);
            }
        });
    }

    /// <summary>output[t] = sum over q of kernel[q] * padded[t + q], for a line padded by the kernel's radius on each side.</summary>
    private static void Convolve(float[] padded, float[] kernel, Span<float> output)
    {
        int n = output.Length, width = Vector<float>.Count, t = 0;
        for (; t <= n - width; t += width)
        {
            var sum = Vector<float>.Zero;
            for (int q = 0; q < kernel.Length; q++) sum += new Vector<float>(padded, t + q) * kernel[q];
            sum.CopyTo(output[t..]);
        }
        for (; t < n; t++)
        {
            float sum = 0;
            for (int q = 0; q < kernel.Length; q++) sum += kernel[q] * padded[t + q];
            output[t] = sum;
        }
    }

    /// <summary>output += weight * values.</summary>
    internal static void AddScaled(ReadOnlySpan<float> values, float weight, Span<float> output)
    {
        var vectorValues = MemoryMarshal.Cast<float, Vector<float>>(values);
        var vectorOutput = MemoryMarshal.Cast<float, Vector<float>>(output);
        for (int v = 0; v < vectorValues.Length; v++) vectorOutput[v] += vectorValues[v] * weight;
        for (int t = vectorValues.Length * Vector<float>.Count; t < values.Length; t++) output[t] += weight * values[t];
    }
}
