using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Tests;

public class GeometryTests
{
    internal static Matrix3 Oblique()
    {
        // A rotation of 30 degrees about z, then 20 about x, with the third axis flipped (det = -1).
        return Matrix3.Rotation(0, Math.PI / 9) * Matrix3.Rotation(2, Math.PI / 6) * Matrix3.Diagonal(new Vec3(1, 1, -1));
    }

    [Fact]
    public void Index_to_world_follows_origin_direction_and_spacing()
    {
        var g = new ImageGeometry(3, new GridSize(10, 20, 30), new Vec3(0.5, 2, 3), new WorldMm(10, -5, 7),
            Matrix3.Diagonal(new Vec3(-1, -1, 1)));
        Assert.Equal(new WorldMm(10 - 0.5 * 2, -5 - 2 * 3, 7 + 3 * 4), g.IndexToWorld(new VoxelIndex(2, 3, 4)));
    }

    [Fact]
    public void World_to_index_inverts_index_to_world_for_oblique_grids()
    {
        var g = new ImageGeometry(3, new GridSize(10, 20, 30), new Vec3(0.7, 1.1, 2.3), new WorldMm(-12.5, 40, 3), Oblique());
        var index = new VoxelIndex(3.25, -1.5, 17.75);
        var back = g.WorldToIndex(g.IndexToWorld(index));
        Assert.Equal(index.I, back.I, 10);
        Assert.Equal(index.J, back.J, 10);
        Assert.Equal(index.K, back.K, 10);
    }

    [Fact]
    public void Rotation_about_z_turns_x_into_y()
    {
        var turned = Matrix3.Rotation(2, Math.PI / 2) * new Vec3(1, 0, 0);
        Assert.Equal(0, turned.X, 12);
        Assert.Equal(1, turned.Y, 12);
        Assert.Equal(1, Matrix3.Rotation(1, 0.3).Determinant, 12);
    }

    [Fact]
    public void Matrix_inverse_gives_identity()
    {
        var m = new Matrix3(2, 1, 0, -1, 3, 2, 0.5, 0, 4);
        var product = m * m.Inverse();
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(r == c ? 1 : 0, product[r, c], 12);
    }

    [Fact]
    public void Resampled_grid_covers_the_same_region()
    {
        var g = new ImageGeometry(2, new GridSize(100, 50, 1), new Vec3(0.1, 0.1, 1), new WorldMm(5, 5, 0), Matrix3.Identity);
        var coarse = g.Resampled(new Vec3(0.4, 0.4, 1));
        Assert.Equal(new GridSize(25, 13, 1), coarse.Size);
        // The outer corner of the first voxel stays where it was.
        var corner = g.IndexToWorld(new VoxelIndex(-0.5, -0.5, 0));
        var coarseCorner = coarse.IndexToWorld(new VoxelIndex(-0.5, -0.5, 0));
        Assert.Equal(corner.X, coarseCorner.X, 10);
        Assert.Equal(corner.Y, coarseCorner.Y, 10);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, double.NaN)]
    public void Absurd_geometry_is_refused(double sx, double sy, double originX)
    {
        Assert.Throws<ArgumentException>(() => new ImageGeometry(2, new GridSize(4, 4, 1), new Vec3(sx, sy, 1), new WorldMm(originX, 0, 0), Matrix3.Identity));
    }

    [Fact]
    public void Non_orthonormal_direction_is_refused()
    {
        var sheared = new Matrix3(1, 0.3, 0, 0, 1, 0, 0, 0, 1);
        Assert.Throws<ArgumentException>(() => new ImageGeometry(3, new GridSize(4, 4, 4), Vec3.One, new WorldMm(0, 0, 0), sheared));
    }

    [Fact]
    public void Contains_world_uses_the_half_voxel_border()
    {
        var g = ImageGeometry.Simple(new GridSize(10, 10, 1), new Vec3(1, 1, 1));
        Assert.True(g.ContainsWorld(new WorldMm(-0.49, 9.49, 0)));
        Assert.False(g.ContainsWorld(new WorldMm(-0.51, 5, 0)));
        Assert.False(g.ContainsWorld(new WorldMm(5, 9.51, 0)));
    }
}
