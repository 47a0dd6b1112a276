using Landmarks.Imaging.Geometry;
using Landmarks.Inference.Model;
using Landmarks.Inference.Stages;

namespace Landmarks.Learning.Data;

/// <summary>Random affine transforms and intensity changes for training crops (MONAI-style small pieces).</summary>
public static class Augmentation
{
    /// <summary>A rotation of up to <paramref name="rotationDegrees"/> (about a random axis in 3D, so that 180 reaches every
    /// orientation), isotropic scale with a little anisotropy, and shear.</summary>
    public static Matrix3 RandomAffine(Random rng, int dimension, double rotationDegrees, AugmentationConfig config)
    {
        double Uniform(double range) => (2 * rng.NextDouble() - 1) * range;
        double angle = Uniform(rotationDegrees) * Math.PI / 180;
        var rotation = dimension == 2 ? Matrix3.Rotation(2, angle) : Matrix3.AxisAngle(RandomDirection(rng), angle);
        double scale = 1 + Uniform(config.ScaleRange);
        var scaling = Matrix3.Diagonal(new Vec3(scale * (1 + Uniform(config.ScaleRange / 4)), scale * (1 + Uniform(config.ScaleRange / 4)),
            dimension == 3 ? scale * (1 + Uniform(config.ScaleRange / 4)) : 1));
        double shear = Uniform(config.Shear);
        var shearing = new Matrix3(1, shear, 0, 0, 1, 0, 0, 0, 1);
        return rotation * scaling * shearing;
    }

    /// <summary>A unit vector uniformly distributed on the sphere.</summary>
    public static Vec3 RandomDirection(Random rng)
    {
        double z = 2 * rng.NextDouble() - 1, phi = 2 * Math.PI * rng.NextDouble(), r = Math.Sqrt(1 - z * z);
        return new Vec3(r * Math.Cos(phi), r * Math.Sin(phi), z);
    }

    /// <summary>Contrast about the mean, gamma on the [0, 1] range, then Gaussian noise; in place.</summary>
    public static void Intensity(Random rng, float[] voxels, AugmentationConfig config)
    {
        double contrast = 1 + (2 * rng.NextDouble() - 1) * config.ContrastRange;
        double gamma = Math.Exp((2 * rng.NextDouble() - 1) * config.GammaRange);
        double mean = voxels.Average();
        for (int n = 0; n < voxels.Length; n++)
        {
            double v = (voxels[n] - mean) * contrast + mean;
            v = v <= 0 ? v : v >= 1 ? v : Math.Pow(v, gamma);
            voxels[n] = (float)(v + config.NoiseStd * Gaussian(rng));
        }
    }

    /// <summary>
    /// Blanks (sets to 0, as outside an image) all of a crop but a random box spanning at least
    /// <paramref name="minimumFraction"/> of each axis, in place: a smaller field of view, where some
    /// landmarks are out of sight and the network must say so. Returns the kept box, [low, high) per axis.
    /// </summary>
    public static (int[] Low, int[] High) KeepPart(Random rng, float[] voxels, int[] size, double minimumFraction)
    {
        int d = size.Length;
        var low = new int[d];
        var high = new int[d];
        for (int axis = 0; axis < d; axis++)
        {
            int length = (int)Math.Ceiling(size[axis] * (minimumFraction + (1 - minimumFraction) * rng.NextDouble()));
            low[axis] = rng.Next(size[axis] - length + 1);
            high[axis] = low[axis] + length;
        }
        int nx = size[0], ny = size[1], nz = d == 3 ? size[2] : 1;
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++)
                {
                    bool kept = i >= low[0] && i < high[0] && j >= low[1] && j < high[1] && (d == 2 || (k >= low[2] && k < high[2]));
                    if (!kept) voxels[(k * ny + j) * nx + i] = 0;
                }
        return (low, high);
    }

    /// <summary>Whether a position in crop voxels falls in the box <see cref="KeepPart"/> kept (voxel centres at integers).</summary>
    public static bool InBox(CropVoxel voxel, (int[] Low, int[] High) box) =>
        Enumerable.Range(0, box.Low.Length).All(axis => voxel[axis] >= box.Low[axis] - 0.5 && voxel[axis] < box.High[axis] - 0.5);

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
