namespace Landmarks.Imaging.Geometry;

/// <summary>A 3x3 matrix of doubles, row-major: <c>M[row, column]</c>.</summary>
public readonly struct Matrix3 : IEquatable<Matrix3>
{
    private readonly double[] _m;

    public Matrix3(double m00, double m01, double m02, double m10, double m11, double m12, double m20, double m21, double m22)
        => _m = [m00, m01, m02, m10, m11, m12, m20, m21, m22];

    public static Matrix3 Identity { get; } = new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    public static Matrix3 FromColumns(Vec3 c0, Vec3 c1, Vec3 c2)
        => new(c0.X, c1.X, c2.X, c0.Y, c1.Y, c2.Y, c0.Z, c1.Z, c2.Z);

    public static Matrix3 Diagonal(Vec3 d) => new(d.X, 0, 0, 0, d.Y, 0, 0, 0, d.Z);

    /// <summary>Rotation by <paramref name="radians"/> about grid axis 0 (x), 1 (y) or 2 (z), right-handed.</summary>
    public static Matrix3 Rotation(int axis, double radians)
    {
        double c = Math.Cos(radians), s = Math.Sin(radians);
        return axis switch
        {
            0 => new Matrix3(1, 0, 0, 0, c, -s, 0, s, c),
            1 => new Matrix3(c, 0, s, 0, 1, 0, -s, 0, c),
            2 => new Matrix3(c, -s, 0, s, c, 0, 0, 0, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(axis)),
        };
    }

    /// <summary>Rotation by <paramref name="radians"/> about the unit vector <paramref name="axis"/>, right-handed (Rodrigues).</summary>
    public static Matrix3 AxisAngle(Vec3 axis, double radians)
    {
        double c = Math.Cos(radians), s = Math.Sin(radians), t = 1 - c;
        double x = axis.X, y = axis.Y, z = axis.Z;
        return new Matrix3(
            t * x * x + c, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c);
    }

    public double this[int row, int column] => (_m ?? Identity._m)[row * 3 + column];

    public Vec3 Column(int c) => new(this[0, c], this[1, c], this[2, c]);
    public Vec3 Row(int r) => new(this[r, 0], this[r, 1], this[r, 2]);

    public static Vec3 operator *(Matrix3 a, Vec3 v) => new(a.Row(0).Dot(v), a.Row(1).Dot(v), a.Row(2).Dot(v));

    public static Matrix3 operator *(Matrix3 a, Matrix3 b) => FromColumns(a * b.Column(0), a * b.Column(1), a * b.Column(2));

    public Matrix3 Transposed() => FromColumns(Row(0), Row(1), Row(2));

    public double Determinant =>
        this[0, 0] * (this[1, 1] * this[2, 2] - this[1, 2] * this[2, 1])
        - this[0, 1] * (this[1, 0] * this[2, 2] - this[1, 2] * this[2, 0])
        + this[0, 2] * (this[1, 0] * this[2, 1] - this[1, 1] * this[2, 0]);

    public Matrix3 Inverse()
    {
        double det = Determinant;
        // Singular relative to the matrix's own size: a grid of 10 µm voxels is fine, a flat or non-finite one is not.
        double scale = Column(0).Length * Column(1).Length * Column(2).Length;
        if (!double.IsFinite(det) || !(Math.Abs(det) > 1e-12 * scale)) throw new ArgumentException($"matrix {this} is singular");
        Vec3 c0 = Column(0), c1 = Column(1), c2 = Column(2);
        // Rows of the inverse are the cross products of column pairs over the determinant.
        Vec3 r0 = c1.Cross(c2) / det, r1 = c2.Cross(c0) / det, r2 = c0.Cross(c1) / det;
        return FromColumns(r0, r1, r2).Transposed();
    }

    /// <summary>True when the columns are unit length and mutually orthogonal, within <paramref name="tolerance"/>.</summary>
    public bool IsOrthonormal(double tolerance = 1e-4)
    {
        for (int r = 0; r < 3; r++)
            if (!Row(r).IsFinite) return false;
        var product = Transposed() * this;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                if (Math.Abs(product[r, c] - (r == c ? 1 : 0)) > tolerance) return false;
        return true;
    }

    public bool Equals(Matrix3 other)
    {
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                if (this[r, c] != other[r, c]) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is Matrix3 m && Equals(m);
    public override int GetHashCode() => HashCode.Combine(this[0, 0], this[1, 1], this[2, 2], this[0, 1]);
    public static bool operator ==(Matrix3 a, Matrix3 b) => a.Equals(b);
    public static bool operator !=(Matrix3 a, Matrix3 b) => !a.Equals(b);

    public override string ToString() => $"[{Row(0)}, {Row(1)}, {Row(2)}]";
}
