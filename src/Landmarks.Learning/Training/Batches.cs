using Landmarks.Imaging.Geometry;
using Landmarks.Inference.Stages;
using Landmarks.Learning.Data;
using Landmarks.Learning.Networks;
using Landmarks.Inference.Patches;
using Landmarks.Learning.Targets;
using static TorchSharp.torch;

using Landmarks.Inference.Model;

namespace Landmarks.Learning.Training;

/// <summary>A batch for one training step: input crops [batch, 1, (z,) y, x] and their targets.</summary>
public sealed record Batch(Tensor Input, PatchTargets Targets);

/// <summary>
/// The random source of each training sample: a fixed mix (SplitMix64) of the seed, the stage, the iteration
/// and the sample's place in the batch, never HashCode (randomised per process): the same seed gives the same
/// model in every run, and a resumed run draws what the uninterrupted one would have.
/// </summary>
internal static class SampleRandom
{
    public static Random For(int seed, int stage, int iteration, int sample)
    {
        ulong state = (uint)seed;
        foreach (int part in new[] { stage, iteration, sample }) state = SplitMix64(state ^ (uint)part);
        return new Random((int)(state & 0x7FFFFFFF));
    }

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}

/// <summary>
/// Training crops of the global stage: a random case, turned to its pose and then by up to the stage's rotation, about the
/// centre of its landmarks (moved by up to the translation share of the crop), scaled and sheared, with intensity changes;
/// a share of them blanked outside a random box (partial views).
/// </summary>
/// <param name="poses">Per case, the rotation of its pose (world frame): crops are turned to it before augmentation (null: the
/// image's own axes).</param>
internal sealed class GlobalBatches(LocalizerConfig config, IReadOnlyList<TrainingCase> cases, IReadOnlyList<Matrix3?> poses, int seed)
{
    private readonly PatchGrid _grid = new(config.Global.CropSize, config.Global.Shape.OutputStride);

    public Batch Make(int iteration)
    {
        var cfg = config.Global;
        var augmentation = config.Augmentation;
        int batch = cfg.BatchSize;
        var inputs = new float[batch][];
        var landmarks = new CropVoxel?[batch][];
        var hidden = new bool[batch][];
        Parallel.For(0, batch, b =>
        {
            var rng = SampleRandom.For(seed, 0, iteration, b);
            int caseIndex = rng.Next(cases.Count);
            var c = cases[caseIndex];
            double Shift(int axis) => axis < config.Dimension ? (2 * rng.NextDouble() - 1) * augmentation.TranslationFraction * cfg.CropSize[axis] : 0;
            var centre = StageVoxel.FromVector(c.Global.ToVoxel(c.CentreMm).AsVector() + new Vec3(Shift(0), Shift(1), Shift(2)));
            var axes = c.Global.CropAxes(poses[caseIndex]) * Augmentation.RandomAffine(rng, config.Dimension, cfg.RotationDegrees, augmentation);
            var crop = CropTransform.Around(centre, cfg.CropSize, axes);
            inputs[b] = crop.Sample(c.Global);
            Augmentation.Intensity(rng, inputs[b], augmentation);
            landmarks[b] = [.. c.LandmarksMm.Select(p => p is WorldMm w ? crop.ToCrop(c.Global.ToVoxel(w)) : (CropVoxel?)null)];
            hidden[b] = new bool[landmarks[b].Length];
            if (augmentation.PartialViewShare > 0 && rng.NextDouble() < augmentation.PartialViewShare)
            {
                var box = Augmentation.KeepPart(rng, inputs[b], cfg.CropSize, augmentation.PartialViewMinimumFraction);
                for (int l = 0; l < landmarks[b].Length; l++) hidden[b][l] = landmarks[b][l] is CropVoxel p && !Augmentation.InBox(p, box);
            }
        });
        return new Batch(tensor(inputs.SelectMany(v => v).ToArray(), [batch, 1, .. _grid.InputSize.Reverse().Select(n => (long)n)]),
            PatchTargets.Build(_grid, landmarks, hidden));
    }
}

/// <summary>
/// Training crops of the local stage: a random case and landmark; the crop centred where the stage would start
/// from (one of the starting errors seen on the training cases for that landmark, enlarged, plus jitter), its axes
/// turned to the pose the localizer fits to the case's start and then by up to the local rotation. Every landmark
/// in or near the crop is trained: the network has a head per landmark.
/// </summary>
/// <param name="startErrors">Per landmark, the error vectors (start minus truth, mm) on the training cases.</param>
/// <param name="poses">Per case, the rotation (world frame) of the pose fitted to its start, as at inference.</param>
internal sealed class LocalBatches(LocalizerConfig config, IReadOnlyList<TrainingCase> cases, IReadOnlyList<Vec3>[] startErrors, IReadOnlyList<Matrix3?> poses, int seed)
{
    private readonly PatchGrid _grid = new([.. Enumerable.Repeat(config.Local.CropSize, config.Dimension)], LocalStageConfig.OutputStride);

    /// <summary>How far from the crop's centre a training offset may put the landmark: three quarters of the half-width.</summary>
    private readonly double _reachMm = 0.75 * config.Local.CropSize / 2.0 * config.Local.SpacingMm;
    private readonly (int Case, int Landmark)[] _pairs = [.. cases.SelectMany((c, n) => c.LandmarksMm.Select((p, l) => (n, l, p)).Where(x => x.p is not null).Select(x => (x.n, x.l)))];

    /// <summary>How far beyond the crop's sides (a share of its size) a landmark is still trained: its cells learn that it
    /// is not in the crop, and its displacements point the way.</summary>
    private const double TrainedMargin = 0.25;

    public Batch Make(int iteration)
    {
        var cfg = config.Local;
        int batch = cfg.BatchSize, size = cfg.CropSize;
        var inputs = new float[batch][];
        var positions = new CropVoxel?[batch][];
        Parallel.For(0, batch, b =>
        {
            var rng = SampleRandom.For(seed, 1, iteration, b);
            var (caseIndex, landmark) = _pairs[rng.Next(_pairs.Length)];
            var c = cases[caseIndex];
            var truth = c.LandmarksMm[landmark]!.Value;
            var errors = startErrors[landmark];
            var error = errors.Count > 0 ? errors[rng.Next(errors.Count)] * cfg.OffsetScale : Vec3.Zero;
            // A start farther off than the crop reaches is a miss the local stage cannot mend; training on it only
            // teaches the network that the landmark is elsewhere.
            if (error.Length > _reachMm) error = error * (_reachMm / error.Length);
            var jitter = new Vec3(Augmentation.Gaussian(rng), Augmentation.Gaussian(rng), config.Dimension == 3 ? Augmentation.Gaussian(rng) : 0) * cfg.OffsetJitterMm;
            var axes = c.Local.CropAxes(poses[caseIndex]) * Augmentation.RandomAffine(rng, config.Dimension, cfg.RotationDegrees, config.Augmentation);
            var crop = CropTransform.Around(c.Local.ToVoxel(truth + error + jitter), _grid.InputSize, axes);
            inputs[b] = crop.Sample(c.Local);
            Augmentation.Intensity(rng, inputs[b], config.Augmentation);
            positions[b] = [.. c.LandmarksMm.Select(p =>
            {
                if (p is not WorldMm w) return null;
                var voxel = crop.ToCrop(c.Local.ToVoxel(w));
                return Enumerable.Range(0, config.Dimension).All(axis => voxel[axis] >= -TrainedMargin * size && voxel[axis] <= (1 + TrainedMargin) * size) ? voxel : (CropVoxel?)null;
            })];
        });
        return new Batch(tensor(inputs.SelectMany(v => v).ToArray(), [batch, 1, .. _grid.InputSize.Reverse().Select(n => (long)n)]),
            PatchTargets.Build(_grid, positions));
    }
}
