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
