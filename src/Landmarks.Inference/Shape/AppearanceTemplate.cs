using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Learning.Data;

namespace Landmarks.Learning.Shape;

/// <summary>
/// The training cases' average appearance in the shape model's frame: each case's global stage image sampled
/// through its pose (the similarity from the model frame to its world) on one grid centred on the mean shape, and
/// averaged. A pose fitted to a new image's landmark estimates is right when the image seen through it looks like
/// this average: the pose search of <see cref="Inference.Localizer"/> keeps the orientation whose pose gives the
/// highest correlation. Estimates made in a wrong orientation still form a plausible skull (the network has learnt
/// the shape), so the shape's residuals cannot tell the orientations apart; the image can.
/// </summary>
/// <param name="Size">Grid voxels along x, y[, z] of the model frame.</param>
/// <param name="SpacingMm">Grid spacing, model-frame mm.</param>
/// <param name="Voxels">The average, x fastest.</param>
public sealed record AppearanceTemplate(int[] Size, double SpacingMm, float[] Voxels)
{
    /// <summary>The average of the cases' stage images seen through their poses.</summary>
    public static AppearanceTemplate Build(IReadOnlyList<StageImage> images, IReadOnlyList<SimilarityTransform?> poses, int[] size, double spacingMm)
    {
        var sum = new double[size.Aggregate(1, (a, b) => a * b)];
        int count = 0;
        for (int c = 0; c < images.Count; c++)
        {
            if (poses[c] is not SimilarityTransform pose) continue;
            var seen = Sample(images[c], pose, size, spacingMm);
            for (int n = 0; n < sum.Length; n++) sum[n] += seen[n];
            count++;
        }
        if (count == 0) throw new ArgumentException("no case has a pose to build the template from");
        return new AppearanceTemplate(size, spacingMm, [.. sum.Select(v => (float)(v / count))]);
    }

    /// <summary>Pearson correlation between this template and the image seen through <paramref name="pose"/> (model frame to
    /// world): 1 for the same pattern, about 0 for an unrelated one.</summary>
    public double Similarity(StageImage image, SimilarityTransform pose)
    {
        var seen = Sample(image, pose, Size, SpacingMm);
        double meanA = Voxels.Average(v => (double)v), meanB = seen.Average(v => (double)v);
        double ab = 0, aa = 0, bb = 0;
        for (int n = 0; n < seen.Length; n++)
        {
            double a = Voxels[n] - meanA, b = seen[n] - meanB;
            ab += a * b;
            aa += a * a;
            bb += b * b;
        }
        return aa > 0 && bb > 0 ? ab / Math.Sqrt(aa * bb) : 0;
    }

    /// <summary>The image sampled (linearly, 0 outside) at the grid's voxels mapped to world by the pose.</summary>
    private static float[] Sample(StageImage image, SimilarityTransform pose, int[] size, double spacingMm)
    {
        int nx = size[0], ny = size[1], nz = size.Length == 3 ? size[2] : 1;
        var result = new float[nx * ny * nz];
        var geometry = image.Image.Geometry;
        Parallel.For(0, nz * ny, row =>
        {
            int k = row / ny, j = row % ny;
            for (int i = 0; i < nx; i++)
            {
                var model = new Vec3((i - (nx - 1) / 2.0) * spacingMm, (j - (ny - 1) / 2.0) * spacingMm, nz == 1 ? 0 : (k - (nz - 1) / 2.0) * spacingMm);
                var world = WorldMm.FromVector(pose.Apply(model));
                result[row * nx + i] = image.Image.Sample(geometry.WorldToIndex(nz == 1 ? world with { Z = geometry.OriginMm.Z } : world), Interpolation.Linear, 0f);
            }
        });
        return result;
    }
}
