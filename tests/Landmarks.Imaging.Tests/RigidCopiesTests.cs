using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Imaging.Tests;

public class RigidCopiesTests
{
    [Fact]
    public void Moved_copy_shows_the_anatomy_where_the_moved_landmark_is()
    {
        var g = new ImageGeometry(3, new GridSize(40, 36, 32), new Vec3(0.5, 0.5, 0.5), new WorldMm(3, -2, 1), Matrix3.Diagonal(new Vec3(-1, -1, 1)));
        var landmark = g.IndexToWorld(new VoxelIndex(12, 20, 10));
        var image = Image.Filled(g);
        for (int k = 0; k < 32; k++)
            for (int j = 0; j < 36; j++)
                for (int i = 0; i < 40; i++)
                    image[i, j, k] = (float)Math.Exp(-g.IndexToWorld(new VoxelIndex(i, j, k)).DistanceTo(landmark) * g.IndexToWorld(new VoxelIndex(i, j, k)).DistanceTo(landmark) / 2);
        var (moved, landmarks) = RigidCopies.Move(image, new LandmarkSet([new Landmark("blob", landmark)]), Matrix3.Rotation(2, 0.3) * Matrix3.Rotation(0, -0.2), new Vec3(1.5, -1, 0.5));

        Assert.True(moved.Geometry.SameGridAs(g));
        var target = landmarks.Landmarks[0].PositionMm!.Value;
        Assert.True(target.DistanceTo(landmark) > 2, "the landmark moved");
        // The brightest voxel of the copy is the one nearest the moved landmark.
        int brightest = Array.IndexOf(moved.Voxels, moved.Voxels.Max());
        var index = new VoxelIndex(brightest % 40, brightest / 40 % 36, brightest / (40 * 36));
        Assert.True(g.IndexToWorld(index).DistanceTo(target) < 0.5, $"peak at {g.IndexToWorld(index)}, landmark at {target}");
    }
}

public class PartialViewsTests
{
    [Fact]
    public void Halves_keep_their_place_in_the_world_and_mark_the_landmarks_left_outside_absent()
    {
        using var dir = new Landmarks.Tests.TempDirectory();
        var g = new ImageGeometry(2, new GridSize(20, 10, 1), new Vec3(0.5, 0.5, 1), new WorldMm(4, -2, 0), Matrix3.Identity);
        var image = new Image(g, [.. Enumerable.Range(0, 200).Select(n => (float)n)]);
        Directory.CreateDirectory(dir.File("data"));
        Landmarks.Imaging.Formats.ImageFile.Write(image, dir.File("data/a.nii.gz"));
        // Pixel (3, 2) lies in both halves, (15, 2) only in the top one, (3, 8) only in the left one.
        LandmarkFile.Write(new LandmarkSet([new Landmark("both", g.IndexToWorld(new VoxelIndex(3, 2, 0))), new Landmark("right", g.IndexToWorld(new VoxelIndex(15, 2, 0))),
            new Landmark("bottom", g.IndexToWorld(new VoxelIndex(3, 8, 0)))]), dir.File("data/a.mrk.json"));
        var source = new DatasetManifest("mine", ["both", "right", "bottom"], [new DatasetCase("a", dir.File("data/a.nii.gz"), dir.File("data/a.mrk.json"))]);

        var halves = PartialViews.Write(source, dir.File("halves"));
        Assert.Equal(["top-a", "left-a"], halves.Cases.Select(c => c.Id));
        var top = halves.LoadCase(halves.Cases[0]);
        Assert.Equal(new GridSize(20, 5, 1), top.Image.Size);
        Assert.Equal(g.OriginMm, top.Image.Geometry.OriginMm);
        Assert.Equal(image[15, 2], top.Image[15, 2]);
        Assert.Equal([true, true, false], top.Reference.Landmarks.Select(l => l.PositionMm is not null));
        var left = halves.LoadCase(halves.Cases[1]);
        Assert.Equal(new GridSize(10, 10, 1), left.Image.Size);
        Assert.Equal([true, false, true], left.Reference.Landmarks.Select(l => l.PositionMm is not null));
    }
}
