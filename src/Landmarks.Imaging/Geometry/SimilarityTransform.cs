namespace Landmarks.Imaging.Geometry;

/// <summary>
/// <c>y = Scale * Rotation * x + Translation</c>: a rotation, a uniform scale and a shift between two
/// frames (world mm to world mm here). <see cref="Fit"/> finds the one that best maps one point set onto
/// another in the least-squares sense (Horn 1987, unit quaternions; Umeyama 1991 for the scale).
/// </summary>
public sealed record SimilarityTransform(double Scale, Matrix3 Rotation, Vec3 Translation)
{
    public static SimilarityTransform Identity { get; } = new(1, Matrix3.Identity, Vec3.Zero);

    public Vec3 Apply(Vec3 point) => Rotation * point * Scale + Translation;

    public SimilarityTransform Inverse()
    {
        var inverseRotation = Rotation.Transposed();
        return new SimilarityTransform(1 / Scale, inverseRotation, -(inverseRotation * Translation) / Scale);
    }

    /// <summary>The rotation's angle about its axis, in degrees (0 to 180).</summary>
    public double RotationDegrees =>
        Math.Acos(Math.Clamp((Rotation[0, 0] + Rotation[1, 1] + Rotation[2, 2] - 1) / 2, -1, 1)) * 180 / Math.PI;

    /// <summary>
    /// The transform that maps <paramref name="from"/> onto <paramref name="to"/> (pairs at equal indices)
    /// with the least sum of squared distances. At least 3 points not on one line are needed for a unique
    /// rotation in 3D (2 in 2D, where all z are 0 and the rotation stays in the plane).
    /// </summary>
    /// <param name="allowScale">False fits a rigid transform (scale 1).</param>
    /// <param name="weights">Per pair, its weight in the sum of squared distances (all 1 when null).</param>
    public static SimilarityTransform Fit(IReadOnlyList<Vec3> from, IReadOnlyList<Vec3> to, bool allowScale = true, IReadOnlyList<double>? weights = null)
    {
        if (from.Count != to.Count) throw new ArgumentException($"{from.Count} points to map onto {to.Count}");
        if (from.Count < 2) throw new ArgumentException("at least 2 point pairs are needed to fit a transform");
        double Weight(int n) => weights?[n] ?? 1;
        double total = Enumerable.Range(0, from.Count).Sum(Weight);
        if (!(total > 0)) throw new ArgumentException("the weights of the points to map add up to nothing");
        Vec3 fromCentre = Mean(from, Weight, total), toCentre = Mean(to, Weight, total);
        // Cross-covariance S[a, b] = sum over pairs of w * from'[a] * to'[b], on centred points.
        var s = new double[3, 3];
        double fromSpread = 0;
        for (int n = 0; n < from.Count; n++)
        {
            Vec3 a = from[n] - fromCentre, b = to[n] - toCentre;
            double w = Weight(n);
            fromSpread += w * a.Dot(a);
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) s[r, c] += w * a[r] * b[c];
        }
        if (fromSpread <= 0) throw new ArgumentException("the points to map all coincide");
        // Points in the plane z = 0 (2D images) get a rotation about z: in 3D the best fit could flip the plane over.
        bool Flat(IReadOnlyList<Vec3> points, Vec3 centre) => points.All(p => Math.Abs(p.Z - centre.Z) <= 1e-9 * (1 + Math.Abs(centre.Z)));
        bool planar = Flat(from, fromCentre) && Flat(to, toCentre);
        var rotation = planar ? Matrix3.Rotation(2, Math.Atan2(s[0, 1] - s[1, 0], s[0, 0] + s[1, 1])) : RotationOfLargestEigenvector(s);
        double scale = 1;
        if (allowScale)
        {
            double aligned = 0;
            for (int n = 0; n < from.Count; n++) aligned += Weight(n) * (rotation * (from[n] - fromCentre)).Dot(to[n] - toCentre);
            scale = aligned / fromSpread;
        }
        return new SimilarityTransform(scale, rotation, toCentre - rotation * fromCentre * scale);
    }

    private static Vec3 Mean(IReadOnlyList<Vec3> points, Func<int, double> weight, double total)
    {
        var sum = Vec3.Zero;
        for (int n = 0; n < points.Count; n++) sum += points[n] * weight(n);
        return sum / total;
    }

    /// <summary>Horn's symmetric 4x4 matrix of the cross-covariance: its eigenvector of the largest eigenvalue
    /// is the unit quaternion of the best rotation.</summary>
    private static Matrix3 RotationOfLargestEigenvector(double[,] s)
    {
        double sxx = s[0, 0], sxy = s[0, 1], sxz = s[0, 2], syx = s[1, 0], syy = s[1, 1], syz = s[1, 2], szx = s[2, 0], szy = s[2, 1], szz = s[2, 2];
        var n = new double[4, 4]
        {
            { sxx + syy + szz, syz - szy, szx - sxz, sxy - syx },
            { syz - szy, sxx - syy - szz, sxy + syx, szx + sxz },
            { szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy },
            { sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz },
        };
        var (values, vectors) = SymmetricEigen.Decompose(n);
        int best = 0;
        for (int k = 1; k < 4; k++) if (values[k] > values[best]) best = k;
        double w = vectors[0, best], x = vectors[1, best], y = vectors[2, best], z = vectors[3, best];
        double norm = Math.Sqrt(w * w + x * x + y * y + z * z);
        (w, x, y, z) = (w / norm, x / norm, y / norm, z / norm);
        return new Matrix3(
            w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
            2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
            2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z);
    }
}
