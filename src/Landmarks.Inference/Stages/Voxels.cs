using Landmarks.Imaging.Geometry;

namespace Landmarks.Inference.Stages;

/// <summary>A continuous position in a stage image's grid (x, y[, z]; z is 0 in 2D): voxel centres at integers.
/// Between world mm and this frame only <see cref="StageImage"/> converts.</summary>
public readonly record struct StageVoxel(double X, double Y, double Z)
{
    public double this[int axis] => axis switch { 0 => X, 1 => Y, 2 => Z, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };
    public Vec3 AsVector() => new(X, Y, Z);
    public static StageVoxel FromVector(Vec3 v) => new(v.X, v.Y, v.Z);
    public override string ToString() => $"stage [{X:G5}, {Y:G5}, {Z:G5}]";
}

/// <summary>A continuous position in a network input crop's grid (x, y[, z]; z is 0 in 2D): what the network's cells
/// and displacements speak in. Between a stage image and this frame only <see cref="CropTransform"/> converts.</summary>
public readonly record struct CropVoxel(double X, double Y, double Z)
{
    public double this[int axis] => axis switch { 0 => X, 1 => Y, 2 => Z, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };
    public Vec3 AsVector() => new(X, Y, Z);
    public static CropVoxel FromVector(Vec3 v) => new(v.X, v.Y, v.Z);
    public override string ToString() => $"crop [{X:G5}, {Y:G5}, {Z:G5}]";
}
