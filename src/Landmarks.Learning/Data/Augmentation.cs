using Landmarks.Imaging.Geometry;
using Landmarks.Learning.Training;

namespace Landmarks.Learning.Data;

/// <summary>Random affine transforms and intensity changes for training crops (MONAI-style small pieces).</summary>
public static class Augmentation
{
    /// <summary>Rotation (about every axis in 3D), isotropic scale with a little anisotropy, and shear.</summary>
    public static Matrix3 RandomAffine(Random rng, int dimension, AugmentationConfig config)
    {
        double Uniform(double range) => (2 * rng.NextDouble() - 1) * range;
        double Radians(double degrees) => degrees * Math.PI / 180;
        var rotation = Matrix3.Rotation(2, Radians(Uniform(config.RotationDegrees)));
        if (dimension == 3) rotation = rotation * Matrix3.Rotation(1, Radians(Uniform(config.RotationDegrees))) * Matrix3.Rotation(0, Radians(Uniform(config.RotationDegrees)));
        double scale = 1 + Uniform(config.ScaleRange);
        var scaling = Matrix3.Diagonal(new Vec3(scale * (1 + Uniform(config.ScaleRange / 4)), scale * (1 + Uniform(config.ScaleRange / 4)),
            dimension == 3 ? scale * (1 + Uniform(config.ScaleRange / 4)) : 1));
        double shear = Uniform(config.Shear);
        var shearing = new Matrix3(1, shear, 0, 0, 1, 0, 0, 0, 1);
        return rotation * scaling * shearing;
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

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
