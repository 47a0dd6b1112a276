namespace Landmarks.Imaging.Geometry;

/// <summary>
/// Where a voxel grid sits in the world: <c>worldMm = OriginMm + Direction * diag(SpacingMm) * voxelIndex</c>,
/// in LPS millimetres as ITK and DICOM define it. Columns of <see cref="Direction"/> are the world
/// directions of the grid's axes. This is the only place that converts between the two spaces.
/// </summary>
public sealed record ImageGeometry
{
    /// <summary>Largest voxel count an image may have: the length limit of a .NET array.</summary>
    public const long MaxVoxelCount = 0x7FFFFFC7;

    /// <summary>Smallest voxel side accepted (1 nm).</summary>
    public const double MinimumSpacingMm = 1e-6;

    /// <summary>Largest extent of a grid along an axis (100 m).</summary>
    public const double MaximumExtentMm = 1e5;

    public ImageGeometry(int dimension, GridSize size, Vec3 spacingMm, WorldMm originMm, Matrix3 direction)
    {
        if (dimension is not (2 or 3)) throw new ArgumentException($"dimension must be 2 or 3, got {dimension}");
        if (size.X < 1 || size.Y < 1 || size.Z < 1) throw new ArgumentException($"image size must be positive, got {size}");
        if (dimension == 2 && size.Z != 1) throw new ArgumentException($"a 2D image has one slice, got {size}");
        if (size.VoxelCount > MaxVoxelCount) throw new ArgumentException($"image of {size} ({size.VoxelCount} voxels) exceeds the limit of {MaxVoxelCount} voxels");
        if (!spacingMm.IsFinite || spacingMm.X <= 0 || spacingMm.Y <= 0 || spacingMm.Z <= 0)
            throw new ArgumentException($"spacing must be positive and finite, got {spacingMm}");
        // From electron tomography to whole-body scans, voxels lie within these bounds; beyond them the header is damaged.
        for (int axis = 0; axis < (dimension == 2 ? 2 : 3); axis++)
            if (spacingMm[axis] < MinimumSpacingMm || spacingMm[axis] * new[] { size.X, size.Y, size.Z }[axis] > MaximumExtentMm)
                throw new ArgumentException($"spacing {spacingMm} mm gives voxels or an extent no scan has (voxels of at least {MinimumSpacingMm} mm, extent at most {MaximumExtentMm} mm)");
        if (!originMm.IsFinite) throw new ArgumentException($"origin must be finite, got {originMm}");
        if (!direction.IsOrthonormal(1e-3)) throw new ArgumentException($"direction cosines must be orthonormal, got {direction}");

        Dimension = dimension;
        Size = size;
        SpacingMm = spacingMm;
        OriginMm = originMm;
        Direction = direction;
        _indexToWorld = direction * Matrix3.Diagonal(spacingMm);
        _worldToIndex = _indexToWorld.Inverse();
    }

    private readonly Matrix3 _indexToWorld;
    private readonly Matrix3 _worldToIndex;

    public int Dimension { get; }
    public GridSize Size { get; }
    public Vec3 SpacingMm { get; }
    public WorldMm OriginMm { get; }
    public Matrix3 Direction { get; }

    /// <summary>A 2D or 3D grid at the origin with identity directions.</summary>
    public static ImageGeometry Simple(GridSize size, Vec3 spacingMm) =>
        new(size.Z == 1 ? 2 : 3, size, spacingMm, new WorldMm(0, 0, 0), Matrix3.Identity);

    public WorldMm IndexToWorld(VoxelIndex index) => OriginMm + _indexToWorld * index.AsVector();

    public VoxelIndex WorldToIndex(WorldMm world) => VoxelIndex.FromVector(_worldToIndex * (world - OriginMm));

    /// <summary>True when the point lies within half a voxel of the grid's voxel centres (the image's extent).</summary>
    public bool ContainsWorld(WorldMm world)
    {
        var idx = WorldToIndex(world);
        return idx.I >= -0.5 && idx.I <= Size.X - 0.5
            && idx.J >= -0.5 && idx.J <= Size.Y - 0.5
            && (Dimension == 2 ? Math.Abs(idx.K) <= 0.5 : idx.K >= -0.5 && idx.K <= Size.Z - 0.5);
    }

    /// <summary>Physical extent of the grid along each axis (voxel count times spacing).</summary>
    public Vec3 ExtentMm => new(Size.X * SpacingMm.X, Size.Y * SpacingMm.Y, Size.Z * SpacingMm.Z);

    public ImageGeometry WithSize(GridSize size, WorldMm originMm) => new(Dimension, size, SpacingMm, originMm, Direction);

    /// <summary>A grid over the same region with a new spacing: the outer corner of the first voxel
    /// keeps its place and the sizes are rounded up, so the whole extent is covered.</summary>
    public ImageGeometry Resampled(Vec3 newSpacingMm)
    {
        int Count(int n, double oldSpacing, double newSpacing) => Math.Max(1, (int)Math.Ceiling(n * oldSpacing / newSpacing - 1e-9));
        var size = new GridSize(
            Count(Size.X, SpacingMm.X, newSpacingMm.X),
            Count(Size.Y, SpacingMm.Y, newSpacingMm.Y),
            Dimension == 2 ? 1 : Count(Size.Z, SpacingMm.Z, newSpacingMm.Z));
        // Keep the outer corner of the first voxel fixed, so both grids cover the same box.
        var corner = IndexToWorld(new VoxelIndex(-0.5, -0.5, Dimension == 2 ? 0 : -0.5));
        var halfNewVoxel = new Vec3(newSpacingMm.X / 2, newSpacingMm.Y / 2, Dimension == 2 ? 0 : newSpacingMm.Z / 2);
        var origin = corner + Direction * halfNewVoxel;
        var spacing = Dimension == 2 ? new Vec3(newSpacingMm.X, newSpacingMm.Y, SpacingMm.Z) : newSpacingMm;
        return new ImageGeometry(Dimension, size, spacing, origin, Direction);
    }

    /// <summary>True when both geometries describe the same grid within <paramref name="toleranceMm"/>.</summary>
    public bool SameGridAs(ImageGeometry other, double toleranceMm = 1e-4)
    {
        if (Dimension != other.Dimension || Size != other.Size) return false;
        if ((SpacingMm - other.SpacingMm).Length > toleranceMm) return false;
        if (OriginMm.DistanceTo(other.OriginMm) > toleranceMm) return false;
        for (int c = 0; c < 3; c++)
            if ((Direction.Column(c) - other.Direction.Column(c)).Length > 1e-6) return false;
        return true;
    }
}
