namespace Landmarks.Imaging.Geometry;

/// <summary>Number of voxels along each axis. A 2D image has <see cref="Z"/> = 1.</summary>
public readonly record struct GridSize(int X, int Y, int Z)
{
    public long VoxelCount => (long)X * Y * Z;

    public int this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    public bool Contains(int i, int j, int k) => i >= 0 && j >= 0 && k >= 0 && i < X && j < Y && k < Z;

    public override string ToString() => Z == 1 ? $"{X}x{Y}" : $"{X}x{Y}x{Z}";
}
