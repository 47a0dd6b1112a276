using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Stages;
using Landmarks.Inference.Shape;

namespace Landmarks.Inference.Tests;

public class OrientationTests
{
    private static Vec3 RandomDirection(Random rng)
    {
        double z = 2 * rng.NextDouble() - 1, phi = 2 * Math.PI * rng.NextDouble(), r = Math.Sqrt(1 - z * z);
        return new Vec3(r * Math.Cos(phi), r * Math.Sin(phi), z);
    }

    [Fact]
    public void The_3D_candidates_are_the_24_distinct_rotations_of_the_cube()
    {
        var candidates = Orientations.Candidates(3);
        Assert.Equal(24, candidates.Count);
        Assert.All(candidates, m => { Assert.True(m.IsOrthonormal()); Assert.Equal(1, m.Determinant, 12); });
        Assert.Equal(24, candidates.Distinct().Count());
        // Every orientation lies within the covering angle of one of them (sampled).
        var rng = new Random(3);
        for (int n = 0; n < 2000; n++)
        {
            var r = Matrix3.AxisAngle(RandomDirection(rng), Math.PI * rng.NextDouble());
            double nearest = candidates.Min(c => new SimilarityTransform(1, c.Transposed() * r, Vec3.Zero).RotationDegrees);
            Assert.True(nearest <= Orientations.CoveringDegrees(3) + 1e-6, $"{nearest:0.0} degrees from the nearest candidate");
        }
        Assert.Equal(8, Orientations.Candidates(2).Count);
        Assert.All(Orientations.Candidates(2), m => Assert.Equal(1, m[2, 2]));
    }

    [Fact]
    public void A_turned_stage_image_keeps_every_point_at_its_world_place()
    {
        var geometry = new ImageGeometry(3, new GridSize(20, 16, 12), Vec3.One, new WorldMm(5, -3, 2), Matrix3.Identity);
        var image = Image.Filled(geometry);
        image[13, 4, 7] = 100;  // one bright voxel
        var stage = StageImage.Prepare(image, 1);
        var brightMm = geometry.IndexToWorld(new VoxelIndex(13, 4, 7));
        var turn = Matrix3.AxisAngle(new Vec3(1, 2, 2) / 3, 2.1);
        var turned = stage.Turned(turn, stage.CentreMm, [30, 30, 30]);
        var v = turned.Image.Voxels;
        int brightest = Array.IndexOf(v, v.Max());
        var at = turned.ToWorld(new StageVoxel(brightest % 30, brightest / 30 % 30, brightest / 900));
        Assert.True(at.DistanceTo(brightMm) < 0.9, $"found at {at}, expected {brightMm}");
        Assert.Equal(turn, turned.Image.Geometry.Direction);
        Assert.True(turned.CentreMm.DistanceTo(stage.CentreMm) < 1e-9);
    }
}
