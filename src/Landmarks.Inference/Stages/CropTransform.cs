using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Inference.Stages;

/// <summary>
/// Where a network input crop samples its stage image: <c>stageVoxel = Matrix * cropVoxel + Offset</c>.
/// Rotation (to a pose, and augmentation), scaling and shear are in the matrix. The stage grid is isotropic
/// with orthonormal directions, so this is the same affine map in world space, applied to image and
/// landmarks together.
/// </summary>
public sealed record CropTransform(Matrix3 Matrix, Vec3 Offset, int[] Size)
{
    public int Dimension => Size.Length;

    /// <summary>An axis-aligned crop of <paramref name="size"/> voxels centred on <paramref name="centre"/>.</summary>
    public static CropTransform Centred(StageVoxel centre, int[] size) => Around(centre, size, Matrix3.Identity);

    /// <summary>A crop whose centre maps to <paramref name="centre"/> under <paramref name="matrix"/>.</summary>
    public static CropTransform Around(StageVoxel centre, int[] size, Matrix3 matrix)
    {
        var cropCentre = new Vec3((size[0] - 1) / 2.0, (size[1] - 1) / 2.0, size.Length == 3 ? (size[2] - 1) / 2.0 : 0);
        return new CropTransform(matrix, centre.AsVector() - matrix * cropCentre, size);
    }

    /// <summary>The whole stage image as one crop, padded to <paramref name="size"/> voxels.</summary>
    public static CropTransform Whole(int[] size) => new(Matrix3.Identity, Vec3.Zero, size);

    public CropVoxel ToCrop(StageVoxel stage)
    {
        var q = Matrix.Inverse() * (stage.AsVector() - Offset);
        return new CropVoxel(q.X, q.Y, Dimension == 3 ? q.Z : 0);
    }

    public StageVoxel ToStage(CropVoxel crop)
    {
        var p = Matrix * crop.AsVector() + Offset;
        return new StageVoxel(p.X, p.Y, Dimension == 3 ? p.Z : 0);
    }

    /// <summary>Whether a position lies in the crop (within half a voxel of its outer voxel centres).</summary>
    public bool Contains(CropVoxel crop) => Enumerable.Range(0, Dimension).All(axis => crop[axis] >= -0.5 && crop[axis] <= Size[axis] - 0.5);

    /// <summary>Linear samples of the stage image over the crop, x fastest; 0 outside the image.</summary>
    public float[] Sample(StageImage stage)
    {
        int nx = Size[0], ny = Size[1], nz = Dimension == 3 ? Size[2] : 1;
        var result = new float[nx * ny * nz];
        if (Matrix == Matrix3.Identity && Offset == Vec3.Zero) return CopyPadded(stage, result);
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

    /// <summary>The crop that is the stage grid itself (<see cref="Whole"/>): its voxels as they are, 0 beyond them, which is
    /// what sampling at whole voxel indices gives.</summary>
    private float[] CopyPadded(StageImage stage, float[] result)
    {
        var image = stage.Image;
        int nx = Size[0], ny = Size[1], nz = Dimension == 3 ? Size[2] : 1;
        int rowLength = Math.Min(nx, image.Size.X);
        for (int k = 0; k < Math.Min(nz, image.Size.Z); k++)
            for (int j = 0; j < Math.Min(ny, image.Size.Y); j++)
                image.Voxels.AsSpan(image.Offset(0, j, k), rowLength).CopyTo(result.AsSpan((k * ny + j) * nx, rowLength));
        return result;
    }
}
