using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Images;

/// <summary>Linear and nearest-neighbour sampling of an <see cref="Image"/> on any grid.</summary>
internal static class Resampler
{
    public static Image Resample(Image source, ImageGeometry target, Interpolation interpolation, float outsideValue)
    {
        var (b, ax, ay, az) = IndexMap(source.Geometry, target);
        if (interpolation == Interpolation.Linear && AlongSourceAxes(ax, ay, az))
            return new Image(target, AlignedLinear(source, target.Size, b, ax.X, ay.Y, az.Z, outsideValue));
        var result = new float[target.Size.VoxelCount];
        var size = target.Size;
        Parallel.For(0, size.Z * size.Y, row =>
        {
            int k = row / size.Y, j = row % size.Y;
            var start = b + ay * j + az * k;
            int offset = row * size.X;
            for (int i = 0; i < size.X; i++)
            {
                var p = start + ax * i;
                result[offset + i] = Sample(source, p.X, p.Y, p.Z, interpolation, outsideValue);
            }
        });
        return new Image(target, result);
    }

    /// <summary>Target index to source index, an affine map: index_src = b + ax i + ay j + az k.</summary>
    private static (Vec3 B, Vec3 Ax, Vec3 Ay, Vec3 Az) IndexMap(ImageGeometry source, ImageGeometry target)
    {
        var b = source.WorldToIndex(target.IndexToWorld(new VoxelIndex(0, 0, 0))).AsVector();
        Vec3 Axis(int axis)
        {
            var unit = new VoxelIndex(axis == 0 ? 1 : 0, axis == 1 ? 1 : 0, axis == 2 ? 1 : 0);
            return source.WorldToIndex(target.IndexToWorld(unit)).AsVector() - b;
        }
        return (b, Axis(0), Axis(1), Axis(2));
    }

    /// <summary>Whether each target axis runs along the same source axis (up to rounding in the direction matrices: an
    /// off-axis step of 1e-10 voxel moves no sample of a grid under 10^6 voxels wide by more than 10^-4 voxel).</summary>
    internal static bool AlongSourceAxes(ImageGeometry source, ImageGeometry target)
    {
        var (_, ax, ay, az) = IndexMap(source, target);
        return AlongSourceAxes(ax, ay, az);
    }

    private static bool AlongSourceAxes(Vec3 ax, Vec3 ay, Vec3 az) =>
        new[] { ax.Y, ax.Z, ay.X, ay.Z, az.X, az.Y }.All(off => Math.Abs(off) < 1e-10);

    /// <summary>
    /// Linear resampling onto a grid whose axes run along the source's (a change of spacing or field of view, the common
    /// case): the source position along each axis depends on that axis's index alone, so the interpolation weights are
    /// worked out once per column, row and slice instead of once per voxel. Gives what <see cref="Sample"/> gives.
    /// </summary>
    private static float[] AlignedLinear(Image source, GridSize size, Vec3 origin, double stepX, double stepY, double stepZ, float outsideValue)
    {
        var x = AxisWeights(origin.X, stepX, size.X, source.Size.X);
        var y = AxisWeights(origin.Y, stepY, size.Y, source.Size.Y);
        // A 2D image has no extent along k: its one slice is sampled wherever k rounds to 0.
        var z = AxisWeights(origin.Z, stepZ, size.Z, source.Size.Z, flat: source.Size.Z == 1);
        var v = source.Voxels;
        int sx = source.Size.X, sxy = source.Size.X * source.Size.Y;
        var result = new float[size.VoxelCount];
        Parallel.For(0, size.Z * size.Y, row =>
        {
            int k = row / size.Y, j = row % size.Y, offset = row * size.X;
            var (zInside, k0, k1, fk) = z[k];
            var (yInside, j0, j1, fj) = y[j];
            if (!zInside || !yInside)
            {
                result.AsSpan(offset, size.X).Fill(outsideValue);
                return;
            }
            int r00 = j0 * sx + k0 * sxy, r10 = j1 * sx + k0 * sxy, r01 = j0 * sx + k1 * sxy, r11 = j1 * sx + k1 * sxy;
            for (int i = 0; i < size.X; i++)
            {
                var (xInside, i0, i1, fi) = x[i];
                if (!xInside)
                {
                    result[offset + i] = outsideValue;
                    continue;
                }
                double near = Lerp(Lerp(v[r00 + i0], v[r00 + i1], fi), Lerp(v[r10 + i0], v[r10 + i1], fi), fj);
                result[offset + i] = (float)(fk == 0 ? near : Lerp(near, Lerp(Lerp(v[r01 + i0], v[r01 + i1], fi), Lerp(v[r11 + i0], v[r11 + i1], fi), fj), fk));
            }
        });
        return result;
    }

    /// <summary>
    /// Gaussian smoothing (<paramref name="sigmaVoxels"/> per source axis, edge voxels extending outwards, as
    /// <see cref="GaussianFilter.Smooth(Image, Vec3)"/>) and then linear resampling onto <paramref name="target"/>, a grid
    /// along the source's axes, as one separable pass per axis: each target index weighs a short run of source indices
    /// (the Gaussian's taps at the two neighbours the interpolation takes), so nothing is computed at source voxels the
    /// target does not need (on a cephalogram going to three times the spacing, a ninth of them). Points outside the
    /// source are 0. The passes go z, y (whole rows at once, contiguous in memory), then x.
    /// </summary>
    internal static Image SmoothedAligned(Image source, ImageGeometry target, Vec3 sigmaVoxels)
    {
        var (b, ax, ay, az) = IndexMap(source.Geometry, target);
        if (!AlongSourceAxes(ax, ay, az)) throw new ArgumentException("the target grid's axes must run along the source's");
        var s = source.Size;
        var t = target.Size;
        var x = AxisKernel.Of(AxisWeights(b.X, ax.X, t.X, s.X), sigmaVoxels.X, s.X);
        var y = AxisKernel.Of(AxisWeights(b.Y, ay.Y, t.Y, s.Y), sigmaVoxels.Y, s.Y);
        var z = AxisKernel.Of(AxisWeights(b.Z, az.Z, t.Z, s.Z, flat: s.Z == 1), sigmaVoxels.Z, s.Z);
        var values = source.Voxels;
        if (!z.IsIdentity(s.Z)) values = ReduceRows(values, groups: 1, s.Z, s.X * s.Y, z);
        if (!y.IsIdentity(s.Y)) values = ReduceRows(values, groups: t.Z, s.Y, s.X, y);
        if (!x.IsIdentity(s.X)) values = ReduceLines(values, lines: t.Z * t.Y, s.X, x);
        return new Image(target, values == source.Voxels ? (float[])values.Clone() : values);
    }

    /// <summary>Along one axis, per target index: the first source index it weighs and the weights of the run from there
    /// (none where the target index falls outside the source).</summary>
    private sealed record AxisKernel(int[] Start, float[][] Weights)
    {
        public static AxisKernel Of((bool Inside, int Low, int High, double Fraction)[] linear, double sigma, int sourceCount)
        {
            // As Smooth: no smoothing along an axis of one voxel or for a sigma under a fifth of one.
            double[] gaussian = sourceCount == 1 || sigma < 0.2 ? [1] : GaussianFilter.Kernel(sigma);
            int radius = gaussian.Length / 2;
            var start = new int[linear.Length];
            var weights = new float[linear.Length][];
            for (int n = 0; n < linear.Length; n++)
            {
                var (inside, low, high, fraction) = linear[n];
                if (!inside)
                {
                    weights[n] = [];
                    continue;
                }
                int from = Math.Max(0, low - radius), to = Math.Min(sourceCount - 1, high + radius);
                var run = new double[to - from + 1];
                for (int q = -radius; q <= radius; q++)
                {
                    run[Math.Clamp(low + q, 0, sourceCount - 1) - from] += gaussian[q + radius] * (1 - fraction);
                    run[Math.Clamp(high + q, 0, sourceCount - 1) - from] += gaussian[q + radius] * fraction;
                }
                // Exact zeros at the ends (a target on a source voxel takes nothing from the next) cost work, not accuracy.
                int first = Array.FindIndex(run, w => w != 0), last = Array.FindLastIndex(run, w => w != 0);
                start[n] = from + first;
                weights[n] = [.. run[first..(last + 1)].Select(w => (float)w)];
            }
            return new AxisKernel(start, weights);
        }

        /// <summary>Whether this kernel gives every source index its own value back (same count, a weight of 1 at each).</summary>
        public bool IsIdentity(int sourceCount) =>
            Start.Length == sourceCount && Enumerable.Range(0, sourceCount).All(n => Start[n] == n && Weights[n] is [1f]);
    }

    /// <summary>Data laid out as [group][index][row], rows contiguous: each target index's row is its kernel's weighted sum
    /// of source rows.</summary>
    private static float[] ReduceRows(float[] values, int groups, int count, int rowLength, AxisKernel kernel)
    {
        int targets = kernel.Start.Length;
        var result = new float[groups * targets * rowLength];
        Parallel.For(0, groups * targets, job =>
        {
            int group = job / targets, t = job % targets;
            var output = result.AsSpan(job * rowLength, rowLength);
            var weights = kernel.Weights[t];
            for (int m = 0; m < weights.Length; m++)
                GaussianFilter.AddScaled(values.AsSpan((group * count + kernel.Start[t] + m) * rowLength, rowLength), weights[m], output);
        });
        return result;
    }

    /// <summary>Data laid out as lines of <paramref name="count"/> contiguous values: each line reduced by the kernel.</summary>
    private static float[] ReduceLines(float[] values, int lines, int count, AxisKernel kernel)
    {
        int targets = kernel.Start.Length;
        var result = new float[lines * targets];
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, lines), range =>
        {
            for (int line = range.Item1; line < range.Item2; line++)
            {
                var source = values.AsSpan(line * count, count);
                for (int t = 0; t < targets; t++)
                {
                    var weights = kernel.Weights[t];
                    var run = source.Slice(kernel.Start[t], weights.Length);
                    float sum = 0;
                    for (int m = 0; m < weights.Length; m++) sum += weights[m] * run[m];
                    result[line * targets + t] = sum;
                }
            }
        });
        return result;
    }

    /// <summary>Per index along one axis: whether it falls inside the source, and its two neighbours and weight, clamped
    /// as <see cref="Sample"/> clamps.</summary>
    private static (bool Inside, int Low, int High, double Fraction)[] AxisWeights(double origin, double step, int count, int sourceCount, bool flat = false)
    {
        var weights = new (bool, int, int, double)[count];
        for (int n = 0; n < count; n++)
        {
            double p = origin + step * n;
            if (flat) p = Math.Abs(p) <= 0.5 ? 0 : p;
            if (p < -0.5 || p > sourceCount - 0.5)
            {
                weights[n] = (false, 0, 0, 0);
                continue;
            }
            p = Math.Clamp(p, 0, sourceCount - 1);
            int low = Math.Min((int)p, Math.Max(sourceCount - 2, 0));
            weights[n] = (true, low, Math.Min(low + 1, sourceCount - 1), p - low);
        }
        return weights;
    }

    private static double Lerp(double a, double c, double t) => a + (c - a) * t;

    public static float Sample(Image image, double i, double j, double k, Interpolation interpolation, float outsideValue)
    {
        var size = image.Size;
        // A 2D image has no extent along k: sample its one slice wherever k rounds to 0.
        if (size.Z == 1) k = Math.Abs(k) <= 0.5 ? 0 : k;
        if (i < -0.5 || j < -0.5 || k < -0.5 || i > size.X - 0.5 || j > size.Y - 0.5 || k > size.Z - 0.5)
            return outsideValue;
        if (interpolation == Interpolation.Nearest)
        {
            int ni = Math.Clamp((int)Math.Round(i), 0, size.X - 1);
            int nj = Math.Clamp((int)Math.Round(j), 0, size.Y - 1);
            int nk = Math.Clamp((int)Math.Round(k), 0, size.Z - 1);
            return image[ni, nj, nk];
        }
        // Within half a voxel of the border, clamp to the edge voxels.
        i = Math.Clamp(i, 0, size.X - 1);
        j = Math.Clamp(j, 0, size.Y - 1);
        k = Math.Clamp(k, 0, size.Z - 1);
        int i0 = Math.Min((int)i, Math.Max(size.X - 2, 0)), j0 = Math.Min((int)j, Math.Max(size.Y - 2, 0)), k0 = Math.Min((int)k, Math.Max(size.Z - 2, 0));
        double fi = i - i0, fj = j - j0, fk = k - k0;
        int i1 = Math.Min(i0 + 1, size.X - 1), j1 = Math.Min(j0 + 1, size.Y - 1), k1 = Math.Min(k0 + 1, size.Z - 1);
        var v = image.Voxels;
        double Plane(int kk) => Lerp(
            Lerp(v[image.Offset(i0, j0, kk)], v[image.Offset(i1, j0, kk)], fi),
            Lerp(v[image.Offset(i0, j1, kk)], v[image.Offset(i1, j1, kk)], fi), fj);
        return (float)(fk == 0 ? Plane(k0) : Lerp(Plane(k0), Plane(k1), fk));
    }
}
