using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Stages;

namespace Landmarks.Inference.Shape;

/// <summary>
/// The training cases' average appearance in the shape model's frame: each case's global stage image sampled
/// through its pose (the similarity from the model frame to its world) on one grid centred on the mean shape, and
/// averaged. A pose fitted to a new image's landmark estimates is right when the image seen through it looks like
/// this average: the pose search of <see cref="Localizer"/> keeps the orientation whose pose gives the
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

    /// <summary>
    /// The pose near <paramref name="start"/> (within tens of degrees and millimetres) whose view of the image best matches
    /// this template: a pattern search over a small rotation about the model frame's origin, a shift and a change of
    /// scale, on this template at half resolution first, then at full resolution, each step halved when no move improves
    /// the correlation. Landmark estimates made in a turned frame lean towards the orientation the network was trained
    /// in; the image does not, so this settles the pose where refitting the shape to estimates stops short.
    /// </summary>
    public (SimilarityTransform Pose, double Similarity) Register(StageImage image, SimilarityTransform start)
    {
        var coarse = Halved();
        var parameters = new double[7];  // rotation vector (radians), shift (mm), log of the scale change
        double[] steps = [4 * Degree, 4 * Degree, 4 * Degree, 1, 1, 1, 0.03];
        double[] coarseEnd = [1 * Degree, 1 * Degree, 1 * Degree, 0.25, 0.25, 0.25, 0.008];
        double[] fineEnd = [0.2 * Degree, 0.2 * Degree, 0.2 * Degree, 0.04, 0.04, 0.04, 0.0015];
        SimilarityTransform Pose(double[] p)
        {
            var axis = new Vec3(p[0], p[1], p[2]);
            var turn = axis.Length > 0 ? Matrix3.AxisAngle(axis / axis.Length, axis.Length) : Matrix3.Identity;
            return new SimilarityTransform(start.Scale * Math.Exp(p[6]), start.Rotation * turn, start.Translation + new Vec3(p[3], p[4], p[5]));
        }
        foreach (var (level, end) in new[] { (coarse, coarseEnd), (this, fineEnd) })
        {
            double best = level.Similarity(image, Pose(parameters));
            while (steps.Where((s, n) => s >= end[n]).Any())
            {
                bool moved = false;
                for (int n = 0; n < parameters.Length; n++)
                    foreach (int sign in new[] { 1, -1 })
                    {
                        var trial = (double[])parameters.Clone();
                        trial[n] += sign * steps[n];
                        double score = level.Similarity(image, Pose(trial));
                        if (score > best) { (best, parameters, moved) = (score, trial, true); break; }
                    }
                if (!moved) for (int n = 0; n < steps.Length; n++) steps[n] /= 2;
            }
            for (int n = 0; n < steps.Length; n++) steps[n] = 2 * end[n];
        }
        var pose = Pose(parameters);
        return (pose, Similarity(image, pose));
    }

    private const double Degree = Math.PI / 180;

    /// <summary>This template on a grid of half as many voxels along each axis (pairs averaged), for the first rounds of registration.</summary>
    private AppearanceTemplate Halved()
    {
        int[] size = [.. Size.Select(n => Math.Max(1, n / 2))];
        int nx = Size[0], ny = Size[1], hx = size[0], hy = size[1], hz = size.Length == 3 ? size[2] : 1;
        var voxels = new float[hx * hy * hz];
        for (int k = 0; k < hz; k++)
            for (int j = 0; j < hy; j++)
                for (int i = 0; i < hx; i++)
                {
                    double sum = 0;
                    int count = 0;
                    for (int dk = 0; dk < (Size.Length == 3 ? 2 : 1); dk++)
                        for (int dj = 0; dj < 2; dj++)
                            for (int di = 0; di < 2; di++)
                            {
                                sum += Voxels[((2 * k + dk) * ny + 2 * j + dj) * nx + 2 * i + di];
                                count++;
                            }
                    voxels[(k * hy + j) * hx + i] = (float)(sum / count);
                }
        // The halved grid's voxels sit between pairs of the full grid's: its centre stays the model frame's origin when the
        // counts are even, within half a fine voxel otherwise.
        return new AppearanceTemplate(size, 2 * SpacingMm, voxels);
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
