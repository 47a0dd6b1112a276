using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Inference.Stages;

/// <summary>
/// An image as one stage of the localizer sees it: resampled to the stage's isotropic spacing
/// (anti-aliased when coarser: <see cref="GaussianFilter.ResampleSmoothly"/>) and intensities mapped so that the 0.5th and
/// 99.5th percentiles become 0 and 1. Converts between world mm and the stage grid's voxels in one place.
/// </summary>
public sealed class StageImage
{
    private StageImage(Image image) => Image = image;

    public Image Image { get; }
    public int Dimension => Image.Dimension;

    /// <summary>Voxel counts in (x, y[, z]) order.</summary>
    public int[] Size => Dimension == 2 ? [Image.Size.X, Image.Size.Y] : [Image.Size.X, Image.Size.Y, Image.Size.Z];

    /// <summary>Both stages' images. The global one is made from the local one: Gaussian variances add, so
    /// this smooths as much as working from the source would, at a fraction of the cost on large images.</summary>
    public static (StageImage Global, StageImage Local) PrepareBoth(Image source, double globalSpacingMm, double localSpacingMm)
    {
        var local = Prepare(source, localSpacingMm);
        return (Prepare(local.Image, globalSpacingMm), local);
    }

    public static StageImage Prepare(Image source, double spacingMm)
    {
        var g = source.Geometry;
        var target = new Vec3(spacingMm, spacingMm, g.Dimension == 2 ? g.SpacingMm.Z : spacingMm);
        return new StageImage(Normalised(GaussianFilter.ResampleSmoothly(source, target)));
    }

    /// <summary>The part of this grid of <paramref name="size"/> voxels from <paramref name="start"/> (x, y[, z]), as a
    /// scan with that smaller field of view would be prepared: same grid, its own intensity percentiles.</summary>
    public StageImage Part(int[] start, int[] size)
    {
        var part = Image.Crop((start[0], start[1], Dimension == 3 ? start[2] : 0), new GridSize(size[0], size[1], Dimension == 3 ? size[2] : 1));
        return new StageImage(Normalised(part));
    }

    /// <summary>This image resampled on a grid of <paramref name="size"/> voxels (x, y[, z]) of the same spacing, centred on
    /// <paramref name="centreMm"/>, whose axes point along the columns of <paramref name="axesWorld"/> (a rotation of the
    /// world frame; in 2D about z). Intensities are kept (not normalised again); outside this image they are 0.</summary>
    public StageImage Turned(Matrix3 axesWorld, WorldMm centreMm, int[] size)
    {
        var g = Image.Geometry;
        var grid = new GridSize(size[0], size[1], Dimension == 3 ? size[2] : 1);
        var halfExtent = new Vec3((grid.X - 1) / 2.0, (grid.Y - 1) / 2.0, (grid.Z - 1) / 2.0) * SpacingMm;
        var origin = centreMm - axesWorld * halfExtent;
        var target = new ImageGeometry(Dimension, grid, Dimension == 2 ? g.SpacingMm with { X = SpacingMm, Y = SpacingMm } : Vec3.One * SpacingMm,
            Dimension == 2 ? origin with { Z = g.OriginMm.Z } : origin, axesWorld);
        return new StageImage(Image.Resample(target, Interpolation.Linear, 0f));
    }

    /// <summary>The world position of this grid's centre.</summary>
    public WorldMm CentreMm => ToWorld(new StageVoxel((Size[0] - 1) / 2.0, (Size[1] - 1) / 2.0, Dimension == 3 ? (Size[2] - 1) / 2.0 : 0));

    /// <summary>Maps intensities in place so that the 0.5th and 99.5th percentiles become 0 and 1.</summary>
    private static Image Normalised(Image image)
    {
        var percentiles = IntensityStatistics.Percentiles(image.Voxels, 0.5, 99.5);
        double low = percentiles[0], range = Math.Max(percentiles[1] - low, 1e-6);
        var voxels = image.Voxels;
        for (int n = 0; n < voxels.Length; n++) voxels[n] = (float)((voxels[n] - low) / range);
        return image;
    }

    /// <summary>World mm to this grid's continuous voxel index.</summary>
    public StageVoxel ToVoxel(WorldMm world)
    {
        var index = Image.Geometry.WorldToIndex(world);
        return new StageVoxel(index.I, index.J, Dimension == 3 ? index.K : 0);
    }

    public WorldMm ToWorld(StageVoxel voxel) => Image.Geometry.IndexToWorld(new VoxelIndex(voxel.X, voxel.Y, Dimension == 3 ? voxel.Z : 0));

    public double SpacingMm => Image.Geometry.SpacingMm.X;

    /// <summary>The axes of a crop turned to <paramref name="worldRotation"/>, in this grid's voxels: crop axis i points
    /// along column i of the rotation; without one, along this grid's own axes. The grid is isotropic with orthonormal
    /// directions, so a crop voxel is a grid voxel.</summary>
    public Matrix3 CropAxes(Matrix3? worldRotation) => worldRotation is Matrix3 r ? Image.Geometry.Direction.Transposed() * r : Matrix3.Identity;
}
