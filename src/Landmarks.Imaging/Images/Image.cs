using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Images;

/// <summary>
/// A 2D or 3D scalar image: voxels as float, x fastest, then y, then z, placed in the world by its
/// <see cref="ImageGeometry"/>. A 2D image is a grid with one slice and <c>Dimension == 2</c>.
/// </summary>
public sealed class Image
{
    public Image(ImageGeometry geometry, float[] voxels)
    {
        if (voxels.LongLength != geometry.Size.VoxelCount)
            throw new ArgumentException($"{voxels.LongLength} voxels given for a grid of {geometry.Size} ({geometry.Size.VoxelCount})");
        Geometry = geometry;
        Voxels = voxels;
    }

    public static Image Filled(ImageGeometry geometry, float value = 0f)
    {
        var voxels = new float[geometry.Size.VoxelCount];
        if (value != 0f) Array.Fill(voxels, value);
        return new Image(geometry, voxels);
    }

    public ImageGeometry Geometry { get; }
    public float[] Voxels { get; }
    public int Dimension => Geometry.Dimension;
    public GridSize Size => Geometry.Size;

    public int Offset(int i, int j, int k) => (k * Size.Y + j) * Size.X + i;

    public float this[int i, int j, int k = 0]
    {
        get => Voxels[Offset(i, j, k)];
        set => Voxels[Offset(i, j, k)] = value;
    }

    public Image WithGeometry(ImageGeometry geometry) => new(geometry, Voxels);

    /// <summary>
    /// The sub-grid of <paramref name="size"/> voxels whose first voxel is at integer index
    /// <paramref name="start"/>; parts outside this image are filled with <paramref name="padValue"/>.
    /// The result keeps its place in the world.
    /// </summary>
    public Image Crop((int I, int J, int K) start, GridSize size, float padValue = 0f)
    {
        var origin = Geometry.IndexToWorld(new VoxelIndex(start.I, start.J, start.K));
        var result = Filled(Geometry.WithSize(size, origin), padValue);
        int iFrom = Math.Max(0, -start.I), iTo = Math.Min(size.X, Size.X - start.I);
        if (iTo <= iFrom) return result;
        for (int k = 0; k < size.Z; k++)
        {
            int sk = start.K + k;
            if (sk < 0 || sk >= Size.Z) continue;
            for (int j = 0; j < size.Y; j++)
            {
                int sj = start.J + j;
                if (sj < 0 || sj >= Size.Y) continue;
                Array.Copy(Voxels, Offset(start.I + iFrom, sj, sk), result.Voxels, result.Offset(iFrom, j, k), iTo - iFrom);
            }
        }
        return result;
    }

    /// <summary>
    /// The mean of each block of <paramref name="fx"/> x <paramref name="fy"/> x <paramref name="fz"/> voxels, on a grid of
    /// that many times the spacing whose voxel centres sit at the blocks' centres. Blocks cut by the far sides average the
    /// voxels they hold.
    /// </summary>
    public Image BlockAveraged(int fx, int fy, int fz)
    {
        if (fx < 1 || fy < 1 || fz < 1) throw new ArgumentException($"block factors must be at least 1, got {fx}, {fy}, {fz}");
        if (fx == 1 && fy == 1 && fz == 1) return this;
        var g = Geometry;
        var size = new GridSize((Size.X + fx - 1) / fx, (Size.Y + fy - 1) / fy, (Size.Z + fz - 1) / fz);
        var origin = g.IndexToWorld(new VoxelIndex((fx - 1) / 2.0, (fy - 1) / 2.0, (fz - 1) / 2.0));
        var geometry = new ImageGeometry(g.Dimension, size, new Vec3(g.SpacingMm.X * fx, g.SpacingMm.Y * fy, g.SpacingMm.Z * fz), origin, g.Direction);
        var result = new float[size.VoxelCount];
        Parallel.For(0, size.Z, k =>
        {
            var sums = new double[size.X];
            var counts = new int[size.X];
            for (int j = 0; j < size.Y; j++)
            {
                Array.Clear(sums);
                Array.Clear(counts);
                for (int z = k * fz; z < Math.Min(Size.Z, (k + 1) * fz); z++)
                    for (int y = j * fy; y < Math.Min(Size.Y, (j + 1) * fy); y++)
                    {
                        int row = Offset(0, y, z);
                        for (int x = 0; x < Size.X; x++)
                        {
                            sums[x / fx] += Voxels[row + x];
                            counts[x / fx]++;
                        }
                    }
                int target = (k * size.Y + j) * size.X;
                for (int i = 0; i < size.X; i++) result[target + i] = (float)(sums[i] / counts[i]);
            }
        });
        return new Image(geometry, result);
    }

    /// <summary>Samples this image on another grid; points outside this image get <paramref name="outsideValue"/>.</summary>
    public Image Resample(ImageGeometry target, Interpolation interpolation = Interpolation.Linear, float outsideValue = 0f)
        => Resampler.Resample(this, target, interpolation, outsideValue);

    /// <summary>Resamples to a new spacing over the same region (see <see cref="ImageGeometry.Resampled"/>).</summary>
    public Image ResampleToSpacing(Vec3 spacingMm, Interpolation interpolation = Interpolation.Linear)
        => Resample(Geometry.Resampled(spacingMm), interpolation);

    /// <summary>Value at a continuous voxel index; <paramref name="outsideValue"/> beyond half a voxel from the grid.</summary>
    public float Sample(VoxelIndex index, Interpolation interpolation = Interpolation.Linear, float outsideValue = 0f)
        => Resampler.Sample(this, index.I, index.J, index.K, interpolation, outsideValue);

    public IntensityStatistics Statistics() => IntensityStatistics.Of(Voxels);
}
