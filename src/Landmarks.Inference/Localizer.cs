using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Model;
using Landmarks.Inference.Patches;
using Landmarks.Inference.Shape;
using Landmarks.Inference.Stages;

namespace Landmarks.Inference;

/// <summary>A landmark placed on an image: world mm, the global stage's presence confidence, the
/// call against the model's threshold, and the global estimate it was refined from.</summary>
public sealed record LocatedLandmark(string Name, WorldMm PositionMm, double Confidence, bool Present, WorldMm GlobalEstimateMm);

/// <summary>What the global stage found: per landmark a world position and the presence confidence.</summary>
public sealed record GlobalResult(WorldMm[] PositionsMm, double[] Presence);

/// <summary>Where the local stage starts: per landmark a position, and the rotation (world frame) of the pose the
/// landmarks give, to which the local crops are turned (null without a shape model: the crops follow the image's axes).</summary>
public sealed record LocalStart(WorldMm[] PositionsMm, Matrix3? PoseRotation, ShapeFit? Fit);

/// <summary>
/// Places every landmark of a model on an image: the global network over the whole coarse image and
/// aggregation of its patch votes; the shape model fitted to those estimates, which gives the pose and
/// replaces estimates that disagree with the anatomy; then the local network on a fine crop around each
/// estimate, turned to that pose, aggregated the same way; where the model chose it, the final estimates weighed against
/// the shape fitted to them.
/// </summary>
/// <param name="presenceThreshold">Overrides the model's threshold for calling a landmark present.</param>
/// <param name="localPasses">Overrides the local passes the model's training chose (1 or 2; see <see cref="Refine"/>).</param>
/// <remarks>Holds no state between calls: one localizer serves many threads when its model's networks do.</remarks>
public sealed class Localizer(LocalizerModel model, double? presenceThreshold = null, int? localPasses = null)
{
    /// <summary>Below this local presence the local crop is taken to have missed the landmark, and the starting estimate stands.</summary>
    public const double MinimumLocalPresence = 0.1;

    /// <summary>A global estimate farther from the fitted shape than this many times the spread expected of the two
    /// (global error and shape residual, added in quadrature) is taken for a miss.</summary>
    public const double OutlierFactor = 3;

    /// <summary>Local crops per network call: bounds the memory of one call whatever the number of landmarks.</summary>
    private const int LocalChunk = 64;

    public LocalizerModel Model => model;

    public double PresenceThreshold => presenceThreshold ?? model.Config.PresenceThreshold ?? LocalizerConfig.DefaultPresenceThreshold;

    public int LocalPasses { get; } = localPasses is null or 1 or 2
        ? localPasses ?? model.Metadata.LocalPassesUsed
        : throw new ArgumentOutOfRangeException(nameof(localPasses), localPasses, "the local stage makes 1 or 2 passes");

    public IReadOnlyList<LocatedLandmark> Locate(Image image)
    {
        if (image.Dimension != model.Config.Dimension)
            throw new ArgumentException($"the model is for {model.Config.Dimension}D images, this image is {image.Dimension}D");
        var (global, local) = StageImage.PrepareBoth(image, model.Config.Global.SpacingMm, model.Config.Local.SpacingMm);
        return Locate(global, local);
    }

    public IReadOnlyList<LocatedLandmark> Locate(StageImage global, StageImage local)
    {
        var coarse = GlobalStage(global);
        var present = Present(coarse);
        var start = Start(coarse.PositionsMm, present);
        var refined = Refine(local, start.PositionsMm, start.PoseRotation, LocalPasses, model.Metadata.Stages?.Select(s => s.UseLocal).ToArray());
        if (model.Metadata.ShapeBlend) refined = BlendWithShape(refined, present);
        return [.. Enumerable.Range(0, present.Length).Select(l => new LocatedLandmark(model.LandmarkNames[l], refined[l], coarse.Presence[l], present[l], coarse.PositionsMm[l]))];
    }

    /// <summary>
    /// The global stage. A first pass over the image as it is, or, with pose search, over a cube around its centre in
    /// each candidate orientation: estimates made in a wrong orientation still form a plausible shape, so candidates are
    /// ranked by how much their fitted pose shows the image like the training cases' average appearance
    /// (<see cref="AppearanceTemplate"/>), the best few registered to it, and one pass follows on the best registration.
    /// Without pose search, with a shape model: passes over a training-sized crop turned to the pose fitted to the
    /// previous estimates, what the network was trained on (crops turned to each case's pose).
    /// </summary>
    public GlobalResult GlobalStage(StageImage global)
    {
        var config = model.Config.Global;
        var shape = model.Metadata.Shape;
        if (shape is null) return Pass(global);
        GlobalResult first;
        if (config.PoseSearch)
        {
            int[] cube = [.. Enumerable.Repeat(config.CropSize.Max(), global.Dimension)];
            var ranked = Orientations.Candidates(global.Dimension).Select(q => Pass(global.Turned(q, global.CentreMm, cube)))
                .Select(result => (Result: result, Score: Fit(shape, result.PositionsMm, null) is ShapeFit f ? Resemblance(global, f) : double.NegativeInfinity))
                .OrderByDescending(c => c.Score).Select(c => c.Result).ToList();
            // A model that searches poses carries an appearance template. Seen through an unregistered pose the appearance
            // ranks candidates only roughly (on mouse skulls the right one was sometimes second): the best few are
            // registered, and the best registration settles the pose; one pass on the crop turned to it sees the anatomy
            // as training did.
            if (model.Template is AppearanceTemplate template)
            {
                var registered = ranked.Take(RegisteredCandidates).Select(result => Fit(shape, result.PositionsMm, Present(result)))
                    .OfType<ShapeFit>().Select(start => template.Register(global, start.Pose)).ToList();
                if (registered.Count > 0)
                {
                    var pose = registered.MaxBy(r => r.Similarity).Pose;
                    return Pass(global.Turned(pose.Rotation, WorldMm.FromVector(pose.Translation), config.CropSize));
                }
            }
            first = ranked[0];
        }
        else first = Pass(global);
        var result = first;
        (Matrix3 Rotation, WorldMm Centre)? turnedTo = null;
        for (int pass = 0; pass < PosePasses; pass++)
        {
            if (Fit(shape, result.PositionsMm, Present(result)) is not ShapeFit fit) break;
            var placed = fit.PlacedMm.Where(p => p is not null).Select(p => p!.Value.AsVector()).ToList();
            var centre = WorldMm.FromVector(placed.Aggregate(Vec3.Zero, (a, p) => a + p) / placed.Count);
            if (turnedTo is var (rotation, previousCentre) && Settled(rotation, fit.Pose.Rotation) && previousCentre.DistanceTo(centre) < config.SpacingMm) break;
            result = Pass(global.Turned(fit.Pose.Rotation, centre, config.CropSize));
            turnedTo = (fit.Pose.Rotation, centre);
        }
        return result;
    }

    /// <summary>Passes over a crop turned to the pose fitted to the previous pass's estimates: the first may start from an
    /// orientation up to the candidates' covering angle off, each next one from a closer one (measured on mouse skulls:
    /// 1.51, 1.25, 1.15 mm after one, two, three). They stop when the pose has settled: a crop turned by less than
    /// <see cref="SettledDegrees"/> and moved by less than a voxel would show the network nearly the same image (on
    /// cephalograms, upright within a few degrees, the second pass settles it: 1.727 mm after it and 1.728 after all
    /// three on the choosing cases, at half the time).</summary>
    private const int PosePasses = 3;

    /// <summary>A pose that turns by less than this from the one the last crop was turned to has settled.</summary>
    public const double SettledDegrees = 1;

    private static bool Settled(Matrix3 before, Matrix3 after) =>
        new SimilarityTransform(1, before.Transposed() * after, Vec3.Zero).RotationDegrees < SettledDegrees;

    /// <summary>Orientation candidates registered to the appearance template in a pose search: the best few by their
    /// unregistered resemblance.</summary>
    private const int RegisteredCandidates = 3;

    /// <summary>How much the image seen through a fitted pose looks like the training cases' average (higher is better):
    /// the template's correlation, or without a template the shape's fit (the negated median residual).</summary>
    private double Resemblance(StageImage global, ShapeFit fit) =>
        model.Template is AppearanceTemplate template ? template.Similarity(global, fit.Pose) : -fit.MedianResidualMm;

    private bool[] Present(GlobalResult result) => [.. result.Presence.Select(p => p >= PresenceThreshold)];

    /// <summary>The shape model fitted to estimates (those <paramref name="usable"/>, or all), with each landmark's limit from
    /// its expected global error (one output cell while the global stage is still being trained).</summary>
    private ShapeFit? Fit(ShapeModel shape, WorldMm[] positionsMm, bool[]? usable) => Fit(shape, positionsMm, usable, GlobalErrorMm);

    private static ShapeFit? Fit(ShapeModel shape, WorldMm[] positionsMm, bool[]? usable, Func<int, double> errorMm) =>
        shape.FitRobust([.. positionsMm.Select((p, l) => usable?[l] ?? true ? p : (WorldMm?)null)], [.. Enumerable.Range(0, positionsMm.Length).Select(l => Limit(shape, l, errorMm(l)))]);

    /// <summary>The global stage's expected error on a landmark; while the global stage is being trained (no measured error
    /// yet), one output cell.</summary>
    private double GlobalErrorMm(int landmark) =>
        model.Metadata.Stages?[landmark].GlobalErrorMm ?? model.Config.Global.SpacingMm * model.Config.Global.Shape.OutputStride;

    /// <summary>How far a landmark's estimate may lie from the fitted shape before it counts as a miss: the spread expected
    /// of the two (the estimate's error, the shape residual), times <see cref="OutlierFactor"/>.</summary>
    private static double Limit(ShapeModel shape, int landmark, double errorMm) =>
        OutlierFactor * Math.Sqrt(Square(errorMm) + Square(shape.ResidualMm[landmark]));

    /// <summary>One pass of the global network over a stage image (the whole image, padded to the output stride, is the
    /// network's input): world positions and presence.</summary>
    private GlobalResult Pass(StageImage stage)
    {
        int stride = model.Config.Global.Shape.OutputStride;
        int[] padded = [.. stage.Size.Select(n => (n + stride - 1) / stride * stride)];
        var whole = CropTransform.Whole(padded);
        var output = model.Global.Run([whole.Sample(stage)], padded);
        var estimates = Decode(output, 0, new PatchGrid(padded, stride), model.Config.Global.TopCells, presenceOfTopCells: true);
        return new GlobalResult([.. estimates.Select(e => stage.ToWorld(whole.ToStage(e.Position)))], [.. estimates.Select(e => e.Presence)]);
    }

    /// <summary>
    /// The local stage's starting points: without a shape model, the global estimates; with one, each estimate weighed
    /// against the shape model fitted to them (<see cref="WeighAgainstShape"/>); a landmark called absent starts at the
    /// model's placement.
    /// </summary>
    public LocalStart Start(WorldMm[] globalMm, bool[] usable)
    {
        var shape = model.Metadata.Shape;
        if (shape is null || model.Metadata.Stages is null) return new LocalStart(globalMm, null, null);
        var (start, fit) = WeighAgainstShape(shape, globalMm, usable, GlobalErrorMm);
        if (fit is null) return new LocalStart(globalMm, null, null);
        for (int l = 0; l < start.Length; l++)
            if (!usable[l] && fit.PlacedMm[l] is WorldMm placed) start[l] = placed;
        return new LocalStart(start, fit.Pose.Rotation, fit);
    }

    /// <summary>
    /// The final estimates weighed once more against the shape model, now fitted to them, by the errors the stages they
    /// come from made on the validation cases (<see cref="LandmarkStage.FinalErrorMm"/>): where the training set's
    /// landmarks vary little about their mean shape, the placed shape is a second estimate of each landmark nearly as
    /// good as the networks', and its errors are its own (on the mouse-skull atlas the mean shape placed on the reference
    /// landmarks is 0.25 mm from them, the local stage 0.3 mm). Landmarks called absent keep their estimates.
    /// </summary>
    public WorldMm[] BlendWithShape(WorldMm[] estimatesMm, bool[] usable)
    {
        var shape = model.Metadata.Shape;
        var stages = model.Metadata.Stages;
        if (shape is null || stages is null) return estimatesMm;
        return WeighAgainstShape(shape, estimatesMm, usable, l => stages[l].FinalErrorMm ?? double.NaN).PositionsMm;
    }

    /// <summary>
    /// Estimates weighed against the shape model fitted robustly to those <paramref name="usable"/>: each by the inverse
    /// variances of the two (its expected error, the shape residual), its own weight falling smoothly as it strays from
    /// the placement beyond its limit (so a miss is replaced by the placement, without a jump between the two).
    /// Landmarks not usable, without a placement or without a finite expected error keep their estimates.
    /// </summary>
    private static (WorldMm[] PositionsMm, ShapeFit? Fit) WeighAgainstShape(ShapeModel shape, WorldMm[] estimatesMm, bool[] usable, Func<int, double> errorMm)
    {
        var fit = Fit(shape, estimatesMm, usable, errorMm);
        var result = (WorldMm[])estimatesMm.Clone();
        if (fit is null) return (result, null);
        for (int l = 0; l < result.Length; l++)
        {
            if (!usable[l] || fit.PlacedMm[l] is not WorldMm placed) continue;
            double error = errorMm(l);
            double straying = placed.DistanceTo(estimatesMm[l]) / Limit(shape, l, error);
            double estimateWeight = 1 / Math.Max(Square(error), 1e-6) / (1 + Math.Pow(straying, 4));
            double shapeWeight = 1 / Math.Max(Square(shape.ResidualMm[l]), 1e-6);
            if (!double.IsFinite(estimateWeight) || !double.IsFinite(shapeWeight)) continue;
            result[l] = estimatesMm[l] + (placed - estimatesMm[l]) * (shapeWeight / (estimateWeight + shapeWeight));
        }
        return (result, fit);
    }

    private static double Square(double v) => v * v;

    /// <summary>
    /// The local stage: each landmark refined on a crop around its starting point, the crop's axes turned to
    /// <paramref name="poseRotation"/> (world frame; null: the image's axes); with a second pass, once more around that
    /// estimate, as the average over crops shifted by <see cref="RefinementShiftVoxels"/> both ways along each crop axis
    /// (measured on mouse skulls: 0.297 mm after the first pass, 0.277 with the shifted ones; on cephalograms 1.728 and
    /// 1.755 mm, at six times the crops). Landmarks not chosen, and estimates the crops did not catch, keep their start.
    /// </summary>
    /// <param name="passes">1 or 2 (<see cref="ModelMetadata.LocalPasses"/>).</param>
    /// <param name="chosen">Which landmarks to refine; all when null.</param>
    public WorldMm[] Refine(StageImage local, WorldMm[] startMm, Matrix3? poseRotation, int passes, bool[]? chosen = null)
    {
        if (passes is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(passes), passes, "the local stage makes 1 or 2 passes");
        var axes = local.CropAxes(poseRotation);
        var landmarks = Enumerable.Range(0, startMm.Length).Where(l => chosen?[l] ?? true).ToList();
        var first = RefineOnce(local, [.. landmarks.Select(l => (l, startMm[l]))], axes);
        var result = (WorldMm[])startMm.Clone();
        foreach (var (l, mm, _) in first) result[l] = mm;
        if (passes == 1) return result;
        // Shifts in the crop's own frame, turned to the stage grid, then to world mm.
        var shifts = new List<Vec3> { Vec3.Zero };
        for (int axis = 0; axis < local.Dimension; axis++)
            foreach (int sign in new[] { 1, -1 })
            {
                var shift = axes.Column(axis) * (sign * RefinementShiftVoxels);
                shifts.Add(local.ToWorld(StageVoxel.FromVector(shift)) - local.ToWorld(new StageVoxel(0, 0, 0)));
            }
        var second = RefineOnce(local, [.. first.SelectMany(f => shifts.Select(s => (f.Landmark, f.Mm + s)))], axes);
        foreach (var group in second.Where(s => s.Caught).GroupBy(s => s.Landmark))
            result[group.Key] = WorldMm.FromVector(group.Aggregate(Vec3.Zero, (sum, s) => sum + s.Mm.AsVector()) / group.Count());
        return result;
    }

    /// <summary>Shift of the second pass's crops, in local voxels, both ways along each crop axis.</summary>
    public const double RefinementShiftVoxels = 2;

    /// <summary>One local estimate per request (landmark, crop centre): the refined position, or the centre itself when the
    /// crop did not catch the landmark (presence below <see cref="MinimumLocalPresence"/>, or an estimate outside it).</summary>
    private List<(int Landmark, WorldMm Mm, bool Caught)> RefineOnce(StageImage local, IReadOnlyList<(int Landmark, WorldMm CentreMm)> requests, Matrix3 axes)
    {
        int size = model.Config.Local.CropSize;
        int[] cropSize = [.. Enumerable.Repeat(size, local.Dimension)];
        var grid = new PatchGrid(cropSize, LocalStageConfig.OutputStride);
        var result = new List<(int, WorldMm, bool)>(requests.Count);
        foreach (var part in requests.Chunk(LocalChunk))
        {
            var crops = part.Select(r => CropTransform.Around(local.ToVoxel(r.CentreMm), cropSize, axes)).ToArray();
            var voxels = new float[crops.Length][];
            Parallel.For(0, crops.Length, n => voxels[n] = crops[n].Sample(local));
            var output = model.Local.Run(voxels, cropSize);
            for (int n = 0; n < part.Length; n++)
            {
                var (l, centre) = part[n];
                var estimate = Decode(output, n, grid, model.Config.Local.TopCells, presenceOfTopCells: false, head: l)[0];
                // The local network knows only its crop: an estimate outside it is no refinement.
                bool caught = estimate.Presence >= MinimumLocalPresence && crops[n].Contains(estimate.Position);
                result.Add((l, caught ? local.ToWorld(crops[n].ToStage(estimate.Position)) : centre, caught));
            }
        }
        return result;
    }

    /// <summary>One sample of a network's output to per-landmark probabilities and displacements, then aggregation:
    /// every head, or only <paramref name="head"/>.</summary>
    internal static PatchEstimate[] Decode(PatchOutput output, int sample, PatchGrid grid, int topCells, bool presenceOfTopCells, int? head = null)
    {
        int cells = grid.CellCount, d = grid.Dimension;
        if (output.Cells != cells || output.Dimension != d) throw new ArgumentException($"the network gave {output.Cells} cells in {output.Dimension}D, the grid has {cells} in {d}D");
        int[] heads = head is int h ? [h] : [.. Enumerable.Range(0, output.Landmarks)];
        var p = new float[heads.Length][];
        var disp = new float[heads.Length][][];
        for (int n = 0; n < heads.Length; n++)
        {
            int l = heads[n];
            p[n] = new float[cells];
            for (int c = 0; c < cells; c++) p[n][c] = (float)(1 / (1 + Math.Exp(-output.Logit(sample, l, c))));
            disp[n] = new float[d][];
            for (int axis = 0; axis < d; axis++)
            {
                // No landmark in training was farther from a cell than the input is wide: a larger vote is noise
                // of a poorly trained network (one such vote, expanded from the log scale, can be metres).
                double limit = grid.InputSize[axis];
                disp[n][axis] = new float[cells];
                for (int c = 0; c < cells; c++)
                    disp[n][axis][c] = (float)Math.Clamp(SignedLog.Expand(output.CompressedDisplacement(sample, l, axis, c)), -limit, limit);
            }
        }
        return PatchAggregation.Aggregate(grid, p, disp, topCells, presenceOfTopCells);
    }
}
