using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Learning.Data;

/// <summary>
/// Where a network input crop samples its stage image: <c>stageVoxel = Matrix * cropVoxel + Offset</c>.
/// Rotation, scaling and shear in the matrix are augmentation. The stage grid is isotropic with
/// orthonormal directions, so this is the same affine map in world space, applied to image and
/// landmarks together.
/// </summary>
public sealed record CropTransform(Matrix3 Matrix, Vec3 Offset, int[] Size)
{
    public int Dimension => Size.Length;

    /// <summary>An axis-aligned crop of <paramref name="size"/> voxels centred on <paramref name="centreStageVoxel"/>.</summary>
    public static CropTransform Centred(double[] centreStageVoxel, int[] size) => Around(centreStageVoxel, size, Matrix3.Identity);

    /// <summary>A crop whose centre maps to <paramref name="centreStageVoxel"/> under <paramref name="matrix"/>.</summary>
    public static CropTransform Around(double[] centreStageVoxel, int[] size, Matrix3 matrix)
    {
        var cropCentre = new Vec3((size[0] - 1) / 2.0, (size[1] - 1) / 2.0, size.Length == 3 ? (size[2] - 1) / 2.0 : 0);
        var centre = new Vec3(centreStageVoxel[0], centreStageVoxel[1], size.Length == 3 ? centreStageVoxel[2] : 0);
        return new CropTransform(matrix, centre - matrix * cropCentre, size);
    }

    public double[] ToCrop(double[] stageVoxel)
    {
        var p = new Vec3(stageVoxel[0], stageVoxel[1], Dimension == 3 ? stageVoxel[2] : 0);
        var q = Matrix.Inverse() * (p - Offset);
        return Dimension == 2 ? [q.X, q.Y] : [q.X, q.Y, q.Z];
    }

    public double[] ToStage(double[] cropVoxel)
    {
        var q = new Vec3(cropVoxel[0], cropVoxel[1], Dimension == 3 ? cropVoxel[2] : 0);
        var p = Matrix * q + Offset;
        return Dimension == 2 ? [p.X, p.Y] : [p.X, p.Y, p.Z];
    }

    /// <summary>Linear samples of the stage image over the crop, x fastest; 0 outside the image.</summary>
    public float[] Sample(StageImage stage)
    {
        int nx = Size[0], ny = Size[1], nz = Dimension == 3 ? Size[2] : 1;
        var result = new float[nx * ny * nz];
        Vec3 ax = Matrix.Column(0), ay = Matrix.Column(1), az = Matrix.Column(2);
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
            {
                var row = Offset + ay * j + az * k;
                for (int i = 0; i < nx; i++)
                {
                    var p = row + ax * i;
                    result[(k * ny + j) * nx + i] = stage.Image.Sample(new VoxelIndex(p.X, p.Y, p.Z), Interpolation.Linear, 0f);
                }
            }
        return result;
    }
}
