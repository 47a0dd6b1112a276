using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Images;

/// <summary>Linear and nearest-neighbour sampling of an <see cref="Image"/> on any grid.</summary>
internal static class Resampler
{
    public static Image Resample(Image source, ImageGeometry target, Interpolation interpolation, float outsideValue)
    {
        // target index -> world -> source index is affine: index_src = A * index_tgt + b.
        var src = source.Geometry;
        var b = src.WorldToIndex(target.IndexToWorld(new VoxelIndex(0, 0, 0))).AsVector();
        Vec3 Axis(int axis)
        {
            var unit = new VoxelIndex(axis == 0 ? 1 : 0, axis == 1 ? 1 : 0, axis == 2 ? 1 : 0);
            return src.WorldToIndex(target.IndexToWorld(unit)).AsVector() - b;
        }
        Vec3 ax = Axis(0), ay = Axis(1), az = Axis(2);
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
        double Lerp(double a, double c, double t) => a + (c - a) * t;
        double Plane(int kk) => Lerp(
            Lerp(v[image.Offset(i0, j0, kk)], v[image.Offset(i1, j0, kk)], fi),
            Lerp(v[image.Offset(i0, j1, kk)], v[image.Offset(i1, j1, kk)], fi), fj);
        return (float)(fk == 0 ? Plane(k0) : Lerp(Plane(k0), Plane(k1), fk));
    }
}
