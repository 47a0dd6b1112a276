using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Tests;

public class SimilarityTransformTests
{
    private static readonly Vec3[] Points = [new(0, 0, 0), new(10, 0, 0), new(0, 7, 0), new(0, 0, 5), new(3, -4, 8), new(-6, 2, 1)];

    [Fact]
    public void Fit_recovers_a_known_rotation_scale_and_shift()
    {
        var truth = new SimilarityTransform(1.3, Matrix3.AxisAngle(new Vec3(1, 2, -2) / 3, 2.4), new Vec3(5, -12, 40));
        var fitted = SimilarityTransform.Fit(Points, [.. Points.Select(truth.Apply)]);
        Assert.Equal(1.3, fitted.Scale, 10);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) Assert.Equal(truth.Rotation[r, c], fitted.Rotation[r, c], 10);
        Assert.Equal(2.4 * 180 / Math.PI, fitted.RotationDegrees, 8);
        Assert.True((fitted.Translation - truth.Translation).Length < 1e-9);
        var back = fitted.Inverse();
        Assert.True((back.Apply(truth.Apply(Points[4])) - Points[4]).Length < 1e-9);
    }

    [Fact]
    public void A_rigid_fit_keeps_scale_one_and_minimises_the_squared_distances()
    {
        var moved = Points.Select(p => Matrix3.Rotation(0, 0.5) * p * 2 + new Vec3(1, 1, 1)).ToArray();
        var rigid = SimilarityTransform.Fit(Points, moved, allowScale: false);
        Assert.Equal(1, rigid.Scale);
        Assert.Equal(0.5 * 180 / Math.PI, rigid.RotationDegrees, 8);
        // Any other rotation does worse.
        double Cost(SimilarityTransform t) => Points.Select((p, n) => (t.Apply(p) - moved[n]).Dot(t.Apply(p) - moved[n])).Sum();
        Assert.True(Cost(rigid) < Cost(rigid with { Rotation = Matrix3.Rotation(0, 0.55) }));
    }

    [Fact]
    public void Points_in_a_plane_turn_within_it()
    {
        // A mirror image in the plane is best matched by flipping the plane over in 3D; a 2D fit must stay in the plane.
        Vec3[] flat = [new(0, 0, 2), new(10, 0, 2), new(0, 5, 2), new(4, 4, 2)];
        var mirrored = flat.Select(p => new Vec3(p.X, -p.Y, 2)).ToArray();
        var fit = SimilarityTransform.Fit(flat, mirrored);
        Assert.Equal(1, fit.Rotation[2, 2], 12);
        Assert.All(flat, p => Assert.Equal(2, fit.Apply(p).Z, 10));
        var turned = flat.Select(p => Matrix3.Rotation(2, -0.7) * (p - new Vec3(0, 0, 2)) + new Vec3(3, 3, 2)).ToArray();
        Assert.Equal(0.7 * 180 / Math.PI, SimilarityTransform.Fit(flat, turned).RotationDegrees, 8);
    }

    [Fact]
    public void Too_few_or_coinciding_points_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Fit([Vec3.One], [Vec3.Zero]));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Fit([Vec3.One, Vec3.One], [Vec3.Zero, Vec3.One]));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Fit(Points, Points[..3]));
    }
}
