using Landmarks.Imaging.Geometry;
using Landmarks.Inference.Shape;

namespace Landmarks.Inference.Tests;

public class ShapeModelTests
{
    private static readonly Vec3[] Template =
    [
        new(0, 0, 0), new(12, 1, 0), new(6, 9, 1), new(5, 3, 8), new(-4, 6, 3), new(9, -5, 4), new(2, 2, -6), new(-7, -3, -2),
    ];

    /// <summary>The template under a known similarity per case, with small deterministic noise.</summary>
    private static (WorldMm?[][] Cases, SimilarityTransform[] Poses) Cases(int count, double noiseMm, double maxDegrees)
    {
        var rng = new Random(7);
        var poses = new SimilarityTransform[count];
        var cases = new WorldMm?[count][];
        for (int c = 0; c < count; c++)
        {
            var axis = new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5).Normalized();
            poses[c] = new SimilarityTransform(0.9 + 0.2 * rng.NextDouble(), Matrix3.AxisAngle(axis, maxDegrees * Math.PI / 180 * rng.NextDouble()),
                new Vec3(100 * rng.NextDouble(), -50, 20));
            cases[c] = [.. Template.Select(p => (WorldMm?)WorldMm.FromVector(poses[c].Apply(p) + new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * 2 * noiseMm))];
        }
        return (cases, poses);
    }

    [Fact]
    public void The_mean_shape_fits_every_case_within_its_noise_and_knows_how_far_poses_differ()
    {
        var (cases, poses) = Cases(12, 0.05, 170);
        var model = ShapeModel.Build(3, cases);
        Assert.All(model.ResidualMm, r => Assert.InRange(r, 0.005, 0.08));
        double spread = 0;
        for (int a = 0; a < poses.Length; a++)
            for (int b = a + 1; b < poses.Length; b++)
                spread = Math.Max(spread, new SimilarityTransform(1, poses[a].Rotation.Transposed() * poses[b].Rotation, Vec3.Zero).RotationDegrees);
        Assert.Equal(spread, model.PoseSpreadDegrees, 0);
        // The mean is the template up to a similarity.
        var toTemplate = SimilarityTransform.Fit([.. model.MeanMm.Select(m => m!.Value)], Template);
        Assert.All(model.MeanMm.Select((m, l) => (toTemplate.Apply(m!.Value) - Template[l]).Length), d => Assert.True(d < 0.05, $"{d}"));
    }

    [Fact]
    public void A_case_missing_landmarks_still_gives_its_pose()
    {
        var (cases, poses) = Cases(6, 0, 60);
        cases[2][1] = null;
        cases[2][4] = null;
        var model = ShapeModel.Build(3, cases);
        Assert.True(double.IsFinite(model.ResidualMm[1]));
        var placed = model.Place(model.PoseOf(cases[2])!);
        Assert.True(placed[1]!.Value.DistanceTo(WorldMm.FromVector(poses[2].Apply(Template[1]))) < 1e-6, "the missing landmark is placed where it belongs");
    }

    [Fact]
    public void A_robust_fit_finds_the_pose_despite_gross_misses_and_names_them()
    {
        var (cases, poses) = Cases(10, 0.05, 90);
        var model = ShapeModel.Build(3, cases);
        var target = new SimilarityTransform(1.05, Matrix3.AxisAngle(new Vec3(0, 0.6, 0.8), 2.0), new Vec3(-30, 10, 5));
        var estimates = Template.Select(p => (WorldMm?)WorldMm.FromVector(target.Apply(p))).ToArray();
        estimates[0] = estimates[0]!.Value + new Vec3(15, 0, 0);
        estimates[5] = estimates[5]!.Value + new Vec3(0, -20, 4);
        estimates[3] = null;  // called absent
        var fit = model.FitRobust(estimates, [.. Enumerable.Repeat(1.0, Template.Length)])!;
        Assert.Equal([false, true, true, false, true, false, true, true], fit.Inlier);
        for (int l = 0; l < Template.Length; l++)
            Assert.True(fit.PlacedMm[l]!.Value.DistanceTo(WorldMm.FromVector(target.Apply(Template[l]))) < 0.2, $"landmark {l}");
        var again = model.FitRobust(estimates, [.. Enumerable.Repeat(1.0, Template.Length)])!;  // repeatable
        Assert.Equal(fit.Pose, again.Pose);
        Assert.Equal(fit.PlacedMm, again.PlacedMm);
        Assert.Null(model.FitRobust([.. estimates.Select((e, l) => l < 3 ? e : null)], [.. Enumerable.Repeat(1.0, Template.Length)]));
    }

    [Fact]
    public void Two_dimensional_shapes_keep_to_the_plane()
    {
        Vec3[] flat = [new(0, 0, 0), new(20, 0, 0), new(10, 15, 0), new(3, 9, 0), new(16, 7, 0)];
        var cases = Enumerable.Range(0, 5).Select(c => flat.Select(p => (WorldMm?)WorldMm.FromVector(Matrix3.Rotation(2, 0.1 * c) * p + new Vec3(c, 2 * c, 0))).ToArray()).ToList();
        var model = ShapeModel.Build(2, cases);
        Assert.All(model.MeanMm, m => Assert.Equal(0, m!.Value.Z, 9));
        Assert.Equal(0.4 * 180 / Math.PI, model.PoseSpreadDegrees, 6);
        Assert.All(model.ResidualMm, r => Assert.True(r < 1e-6));
    }
}
