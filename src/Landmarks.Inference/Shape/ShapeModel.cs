using Landmarks.Imaging.Geometry;

namespace Landmarks.Inference.Shape;

/// <summary>
/// The mean landmark configuration of a training set, in a frame of its own (centred on the origin, mm),
/// found by generalised Procrustes analysis: every case is mapped onto the mean by a similarity transform
/// (rotation, uniform scale, shift) until the mean stops changing. It tells the pose of a new image from
/// its landmarks (<see cref="FitRobust"/>), where the network's estimates disagree with the anatomy, and
/// how far the training poses differ (for rotation augmentation).
/// </summary>
/// <param name="MeanMm">Per landmark, its mean position; null for a landmark absent from every training case.</param>
/// <param name="ResidualMm">Per landmark, the root-mean-square distance between the fitted mean and the case.</param>
/// <param name="PoseSpreadDegrees">The largest rotation between the poses of two training cases.</param>
public sealed record ShapeModel(int Dimension, Vec3?[] MeanMm, double[] ResidualMm, double PoseSpreadDegrees)
{
    /// <summary>Landmarks a case needs for its pose to be fitted (3 not on a line in 3D).</summary>
    public int MinimumLandmarks => Dimension == 2 ? 2 : 3;

    /// <summary>Builds the model from the training cases' reference landmarks (world mm, null where absent).</summary>
    public static ShapeModel Build(int dimension, IReadOnlyList<WorldMm?[]> cases)
    {
        if (cases.Count == 0) throw new ArgumentException("no cases to build a shape model from");
        int landmarks = cases[0].Length, minimum = dimension == 2 ? 2 : 3;
        var usable = cases.Where(c => c.Count(p => p is not null) >= minimum).ToList();
        if (usable.Count == 0) throw new ArgumentException($"no case has the {minimum} landmarks a pose needs");
        // Start from the case with the most landmarks, centred; later means keep its orientation and average size.
        var start = usable.OrderByDescending(c => c.Count(p => p is not null)).First();
        var mean = Centred(start.Select(p => p?.AsVector()).ToArray());
        double size = usable.Average(c => CentroidSize(c.Select(p => p?.AsVector()).ToArray()));
        for (int iteration = 0; iteration < 20; iteration++)
        {
            var sums = new Vec3[landmarks];
            var counts = new int[landmarks];
            foreach (var c in usable)
            {
                var toMean = FitOnCommon(mean, c)?.Inverse();
                if (toMean is null) continue;
                for (int l = 0; l < landmarks; l++)
                    if (c[l] is WorldMm p) { sums[l] += toMean.Apply(p.AsVector()); counts[l]++; }
            }
            var next = Centred(Enumerable.Range(0, landmarks).Select(l => counts[l] > 0 ? sums[l] / counts[l] : (Vec3?)null).ToArray());
            next = Scaled(next, size / CentroidSize(next));
            // Keep the frame where it was, so the iteration settles instead of drifting in rotation.
            if (FitOnCommon(next, [.. mean.Select(v => v is Vec3 m ? WorldMm.FromVector(m) : (WorldMm?)null)], allowScale: false) is SimilarityTransform keep)
                next = [.. next.Select(v => v is Vec3 m ? keep.Apply(m) : (Vec3?)null)];
            double change = Enumerable.Range(0, landmarks).Where(l => next[l] is not null && mean[l] is not null).Select(l => (next[l]!.Value - mean[l]!.Value).Length).DefaultIfEmpty(0).Max();
            mean = next;
            if (change < 1e-6) break;
        }
        mean = InMeanPose(mean, usable);
        var squared = new double[landmarks];
        var present = new int[landmarks];
        var poses = new List<Matrix3>();
        foreach (var c in usable)
        {
            var pose = FitOnCommon(mean, c);
            if (pose is null) continue;
            poses.Add(pose.Rotation);
            for (int l = 0; l < landmarks; l++)
                if (c[l] is WorldMm p && mean[l] is Vec3 m) { squared[l] += (pose.Apply(m) - p.AsVector()).Dot(pose.Apply(m) - p.AsVector()); present[l]++; }
        }
        double spread = 0;
        for (int a = 0; a < poses.Count; a++)
            for (int b = a + 1; b < poses.Count; b++)
                spread = Math.Max(spread, new SimilarityTransform(1, poses[a].Transposed() * poses[b], Vec3.Zero).RotationDegrees);
        return new ShapeModel(dimension, mean, [.. squared.Select((s, l) => present[l] > 0 ? Math.Sqrt(s / present[l]) : double.NaN)], spread);
    }

    /// <summary>The mean shape turned so that the cases' poses average to no rotation: the model's frame is then the
    /// world frame of a typical case (for upright cephalograms, upright), not that of whichever case the analysis began with.</summary>
    private static Vec3?[] InMeanPose(Vec3?[] mean, IReadOnlyList<WorldMm?[]> cases)
    {
        // The chordal mean of the rotations: the rotation nearest (Frobenius) to their sum, found as the best rotation
        // between the unit axes and the summed columns.
        var sum = new double[3, 3];
        foreach (var c in cases)
            if (FitOnCommon(mean, c) is SimilarityTransform pose)
                for (int r = 0; r < 3; r++)
                    for (int k = 0; k < 3; k++) sum[r, k] += pose.Rotation[r, k];
        // Each axis paired with its negative, so that the fit's centring leaves them as they are.
        Vec3[] axes = [new(1, 0, 0), new(0, 1, 0), new(0, 0, 1), new(-1, 0, 0), new(0, -1, 0), new(0, 0, -1)];
        var columns = axes.Select(a => new Vec3(sum[0, 0] * a.X + sum[0, 1] * a.Y + sum[0, 2] * a.Z,
            sum[1, 0] * a.X + sum[1, 1] * a.Y + sum[1, 2] * a.Z, sum[2, 0] * a.X + sum[2, 1] * a.Y + sum[2, 2] * a.Z)).ToArray();
        if (columns.All(c => c.Length < 1e-9)) return mean;
        var average = SimilarityTransform.Fit(axes, columns, allowScale: false).Rotation;
        return [.. mean.Select(m => m is Vec3 v ? average * v : (Vec3?)null)];
    }

    /// <summary>The least-squares similarity transform from this model's frame to the case's world mm, over the
    /// landmarks both have; null when fewer than <see cref="MinimumLandmarks"/> are shared.</summary>
    public SimilarityTransform? PoseOf(IReadOnlyList<WorldMm?> landmarksMm) => FitOnCommon(MeanMm, landmarksMm, minimum: MinimumLandmarks);

    /// <summary>Where the model, placed by <paramref name="pose"/>, puts each landmark (null where the model has none).</summary>
    public WorldMm?[] Place(SimilarityTransform pose) => [.. MeanMm.Select(m => m is Vec3 v ? WorldMm.FromVector(pose.Apply(v)) : (WorldMm?)null)];

    /// <summary>
    /// The pose that agrees with most of the estimates: similarity fits to many small subsets of them (drawn by a
    /// fixed seed, so the result is repeatable), the one with the least median residual (each residual relative to its
    /// landmark's limit) kept as the start of an iteratively reweighted fit, in which an estimate's weight falls
    /// smoothly as its residual passes its limit (Cauchy weights). Smooth weights keep the pose continuous in the
    /// estimates: a tiny change of one estimate (another engine's rounding) moves it a tiny bit, never by a jump as a
    /// hard inlier set would. Null when too few estimates are given.
    /// </summary>
    /// <param name="estimatesMm">Per landmark, an estimate (null when there is none, e.g. called absent).</param>
    /// <param name="inlierLimitMm">Per landmark, the distance between its estimate and the fitted model beyond which the
    /// estimate counts as a miss (its weight halves there).</param>
    public ShapeFit? FitRobust(IReadOnlyList<WorldMm?> estimatesMm, IReadOnlyList<double> inlierLimitMm, int trials = 200)
    {
        var candidates = Enumerable.Range(0, MeanMm.Length).Where(l => estimatesMm[l] is not null && MeanMm[l] is not null && inlierLimitMm[l] > 0).ToList();
        if (candidates.Count < MinimumLandmarks + 1) return null;
        int subset = Math.Min(candidates.Count, MinimumLandmarks + 1);
        var rng = new Random(12345);
        SimilarityTransform? best = null;
        double bestMedian = double.PositiveInfinity;
        for (int trial = 0; trial < trials; trial++)
        {
            var chosen = trial == 0 ? candidates : candidates.OrderBy(_ => rng.Next()).Take(subset).ToList();
            SimilarityTransform pose;
            try { pose = Fit(chosen, estimatesMm, null); }
            catch (ArgumentException) { continue; }  // a degenerate subset (points on a line)
            if (!double.IsFinite(pose.Scale) || pose.Scale <= 0) continue;
            var residuals = candidates.Select(l => Residual(pose, l, estimatesMm) / inlierLimitMm[l]).Order().ToList();
            double median = residuals[residuals.Count / 2];
            if (median < bestMedian) { bestMedian = median; best = pose; }
        }
        if (best is null) return null;
        for (int round = 0; round < ReweightingRounds; round++)
        {
            var weights = candidates.Select(l => 1 / (1 + Square(Residual(best, l, estimatesMm) / inlierLimitMm[l]))).ToList();
            try { best = Fit(candidates, estimatesMm, weights); }
            catch (ArgumentException) { break; }
        }
        var placed = Place(best);
        var finalResiduals = candidates.Select(l => Residual(best, l, estimatesMm)).Order().ToList();
        return new ShapeFit(best, placed, [.. Enumerable.Range(0, MeanMm.Length).Select(l => candidates.Contains(l) && Residual(best, l, estimatesMm) <= inlierLimitMm[l])],
            finalResiduals[finalResiduals.Count / 2]);
    }

    /// <summary>Rounds of reweighting after the subset search: enough for the pose to settle to far below a micrometre.</summary>
    private const int ReweightingRounds = 30;

    private static double Square(double v) => v * v;

    private SimilarityTransform Fit(IReadOnlyList<int> landmarks, IReadOnlyList<WorldMm?> estimatesMm, IReadOnlyList<double>? weights) =>
        SimilarityTransform.Fit([.. landmarks.Select(l => MeanMm[l]!.Value)], [.. landmarks.Select(l => estimatesMm[l]!.Value.AsVector())], weights: weights);

    private double Residual(SimilarityTransform pose, int landmark, IReadOnlyList<WorldMm?> estimatesMm) =>
        (pose.Apply(MeanMm[landmark]!.Value) - estimatesMm[landmark]!.Value.AsVector()).Length;

    private static SimilarityTransform? FitOnCommon(IReadOnlyList<Vec3?> mean, IReadOnlyList<WorldMm?> points, bool allowScale = true, int minimum = 2)
    {
        var common = Enumerable.Range(0, mean.Count).Where(l => mean[l] is not null && points[l] is not null).ToList();
        if (common.Count < minimum) return null;
        try
        {
            return SimilarityTransform.Fit([.. common.Select(l => mean[l]!.Value)], [.. common.Select(l => points[l]!.Value.AsVector())], allowScale);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Vec3?[] Centred(Vec3?[] points)
    {
        var present = points.Where(p => p is not null).Select(p => p!.Value).ToList();
        var centre = present.Aggregate(Vec3.Zero, (a, p) => a + p) / present.Count;
        return [.. points.Select(p => p - centre)];
    }

    private static Vec3?[] Scaled(Vec3?[] points, double factor) => [.. points.Select(p => p * factor)];

    private static double CentroidSize(Vec3?[] points)
    {
        var centred = Centred(points).Where(p => p is not null).Select(p => p!.Value).ToList();
        return Math.Sqrt(centred.Average(p => p.Dot(p)));
    }
}

/// <summary>A robust fit of the shape model to a set of estimates: the pose, where the model puts each landmark,
/// which estimates agree with it, and the median distance between estimates and placements (how well the anatomy
/// explains the estimates, whatever the limits).</summary>
public sealed record ShapeFit(SimilarityTransform Pose, WorldMm?[] PlacedMm, bool[] Inlier, double MedianResidualMm);
