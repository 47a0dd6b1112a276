namespace Landmarks.Imaging.Geometry;

/// <summary>A plain 3-vector of doubles (a direction, a spacing, a difference). Points use
/// <see cref="WorldMm"/> or <see cref="VoxelIndex"/> so that the space is part of the type.</summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    public static readonly Vec3 Zero = new(0, 0, 0);
    public static readonly Vec3 One = new(1, 1, 1);

    public double this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);
    public static Vec3 operator *(Vec3 a, double s) => new(a.X * s, a.Y * s, a.Z * s);
    public static Vec3 operator *(double s, Vec3 a) => a * s;
    public static Vec3 operator /(Vec3 a, double s) => new(a.X / s, a.Y / s, a.Z / s);

    public double Dot(Vec3 other) => X * other.X + Y * other.Y + Z * other.Z;
    public double Length => Math.Sqrt(Dot(this));
    public Vec3 Cross(Vec3 o) => new(Y * o.Z - Z * o.Y, Z * o.X - X * o.Z, X * o.Y - Y * o.X);
    public Vec3 Normalized() => this / Length;
    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Z);

    public static Vec3 FromArray(IReadOnlyList<double> values) => values.Count switch
    {
        2 => new(values[0], values[1], 0),
        3 => new(values[0], values[1], values[2]),
        _ => throw new ArgumentException($"expected 2 or 3 values, got {values.Count}"),
    };

    public override string ToString() => $"({X:G6}, {Y:G6}, {Z:G6})";
}

/// <summary>A point in world space: LPS millimetres, the ITK/DICOM patient convention.</summary>
public readonly record struct WorldMm(double X, double Y, double Z)
{
    public static WorldMm operator +(WorldMm p, Vec3 d) => new(p.X + d.X, p.Y + d.Y, p.Z + d.Z);
    public static WorldMm operator -(WorldMm p, Vec3 d) => new(p.X - d.X, p.Y - d.Y, p.Z - d.Z);
    public static Vec3 operator -(WorldMm a, WorldMm b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    public Vec3 AsVector() => new(X, Y, Z);
    public static WorldMm FromVector(Vec3 v) => new(v.X, v.Y, v.Z);
    public double DistanceTo(WorldMm other) => (this - other).Length;
    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Z);

    /// <summary>RAS and LPS differ by the sign of the first two axes.</summary>
    public static WorldMm FromRas(double r, double a, double s) => new(-r, -a, s);

    public override string ToString() => $"({X:G6}, {Y:G6}, {Z:G6}) mm";
}

/// <summary>A continuous position in an image's voxel grid: (0,0,0) is the centre of the first voxel.</summary>
public readonly record struct VoxelIndex(double I, double J, double K)
{
    public Vec3 AsVector() => new(I, J, K);
    public static VoxelIndex FromVector(Vec3 v) => new(v.X, v.Y, v.Z);
    public override string ToString() => $"[{I:G6}, {J:G6}, {K:G6}]";
}
