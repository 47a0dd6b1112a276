#:project ../src/Landmarks.Inference/Landmarks.Inference.csproj
#:property PublishAot=false
// How much a shape prior with modes of variation could add to the final blend on the mouse atlas (docs/BENCHMARKS.md),
// measured on the reference landmarks alone, no image: leave one skull out, build the others' mean shape (ShapeModel) and
// its principal modes, make estimates of the left-out skull's landmarks with independent Gaussian errors of a given mean
// radial error, and weigh them against the shape fitted to them (mean shape only, as Localizer.BlendWithShape does, or
// the mean with K modes), each landmark by the inverse squares of the estimate's error and the prior's residual.
// Usage: dotnet run bench/atlas-shape-prior.cs ATLAS_LANDMARKS_DIR [ESTIMATE_MRE_MM...]   (default 0.30 and 0.25)
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Inference.Shape;

if (args.Length < 1) { Console.Error.WriteLine("usage: dotnet run bench/atlas-shape-prior.cs ATLAS_LANDMARKS_DIR [ESTIMATE_MRE_MM...]"); return 2; }
var skulls = Directory.GetFiles(args[0], "*.mrk.json").Order(StringComparer.Ordinal)
    .Select(f => LandmarkFile.Read(f).Landmarks.Select(l => l.PositionMm!.Value).ToArray()).ToList();
double[] estimateMres = args.Length > 1 ? [.. args.Skip(1).Select(double.Parse)] : [0.30, 0.25];
int[] modeCounts = [0, 1, 2, 3, 5, 8, 12];
const int Draws = 40;
int landmarks = skulls[0].Length;
Console.WriteLine($"{skulls.Count} skulls, {landmarks} landmarks; leave-one-out, {Draws} draws of estimates per skull");

// A mean radial error m of independent Gaussian errors in 3D is sigma * 2 * sqrt(2 / pi).
double SigmaOf(double mre) => mre / (2 * Math.Sqrt(2 / Math.PI));

foreach (double mre in estimateMres)
{
    double sigma = SigmaOf(mre);
    var rng = new Random(1);
    double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
    var sums = new double[modeCounts.Length];
    var shapeOnly = new double[modeCounts.Length];
    double raw = 0;
    int count = 0;
    for (int h = 0; h < skulls.Count; h++)
    {
        var train = skulls.Where((_, n) => n != h).ToList();
        var prior = Prior.Build(train);
        var residuals = modeCounts.Select(k => prior.LeaveOneOutResidualsMm(train, k)).ToArray();
        for (int draw = 0; draw < Draws; draw++)
        {
            var truth = skulls[h].Select(p => p.AsVector()).ToArray();
            var estimates = truth.Select(t => t + new Vec3(Gauss(), Gauss(), Gauss()) * sigma).ToArray();
            for (int l = 0; l < landmarks; l++) raw += (estimates[l] - truth[l]).Length;
            for (int m = 0; m < modeCounts.Length; m++)
            {
                var placed = prior.Fit(estimates, modeCounts[m], sigma);
                for (int l = 0; l < landmarks; l++)
                {
                    double estimateWeight = 1 / (mre * mre), shapeWeight = 1 / (residuals[m][l] * residuals[m][l]);
                    var blended = estimates[l] + (placed[l] - estimates[l]) * (shapeWeight / (estimateWeight + shapeWeight));
                    sums[m] += (blended - truth[l]).Length;
                    shapeOnly[m] += (placed[l] - truth[l]).Length;
                }
            }
            count += landmarks;
        }
    }
    Console.WriteLine($"estimates with MRE {mre:0.000} mm (measured {raw / count:0.000}):");
    for (int m = 0; m < modeCounts.Length; m++)
        Console.WriteLine($"  mean shape + {modeCounts[m],2} modes: fitted shape alone {shapeOnly[m] / count:0.000} mm, estimates weighed against it {sums[m] / count:0.000} mm");
}
return 0;

/// <summary>The training skulls' mean shape (ShapeModel, generalised Procrustes) and the principal modes of their deviations
/// from it in its frame: a point distribution model.</summary>
sealed class Prior(double[] mean, double[][] modes, double[] variances)
{
    public static Prior Build(IReadOnlyList<WorldMm[]> cases)
    {
        var shape = ShapeModel.Build(3, [.. cases.Select(c => c.Select(p => (WorldMm?)p).ToArray())]);
        var mean = Flatten(shape.MeanMm.Select(v => v!.Value).ToArray());
        var deviations = cases.Select(c => Subtract(Flatten(InFrame(shape, c)), mean)).ToArray();
        int n = deviations.Length;
        // Eigenvectors of the small Gram matrix give those of the covariance (n cases, 3L coordinates, n << 3L).
        var gram = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) gram[a, b] = Dot(deviations[a], deviations[b]);
        var (values, vectors) = SymmetricEigen.Decompose(gram);
        var order = Enumerable.Range(0, n).OrderByDescending(k => values[k]).Where(k => values[k] > 1e-9).ToArray();
        var modes = order.Select(k =>
        {
            var mode = new double[mean.Length];
            for (int a = 0; a < n; a++)
                for (int i = 0; i < mode.Length; i++) mode[i] += vectors[a, k] * deviations[a][i];
            double norm = Math.Sqrt(Dot(mode, mode));
            return mode.Select(v => v / norm).ToArray();
        }).ToArray();
        return new Prior(mean, modes, [.. order.Select(k => values[k] / Math.Max(1, n - 1))]);
    }

    /// <summary>A case's landmarks mapped into the mean shape's frame by the similarity that fits the mean to them.</summary>
    private static Vec3[] InFrame(ShapeModel shape, IReadOnlyList<WorldMm> landmarks)
    {
        var toFrame = shape.PoseOf([.. landmarks.Select(p => (WorldMm?)p)])!.Inverse();
        return [.. landmarks.Select(p => toFrame.Apply(p.AsVector()))];
    }

    /// <summary>The prior fitted to estimates (world mm): pose and K mode weights in turn, each weight shrunk by its variance
    /// against the estimates' error (sigma per axis), then placed in the world.</summary>
    public Vec3[] Fit(IReadOnlyList<Vec3> estimatesMm, int modeCount, double sigmaMm)
    {
        var model = (double[])mean.Clone();
        SimilarityTransform pose = null!;
        for (int iteration = 0; iteration < 10; iteration++)
        {
            var points = Unflatten(model);
            pose = SimilarityTransform.Fit(points, estimatesMm);
            var inverse = pose.Inverse();
            var inFrame = Subtract(Flatten([.. estimatesMm.Select(inverse.Apply)]), mean);
            double noise = sigmaMm * sigmaMm / (pose.Scale * pose.Scale);
            model = (double[])mean.Clone();
            for (int k = 0; k < Math.Min(modeCount, modes.Length); k++)
            {
                double weight = Dot(modes[k], inFrame) * variances[k] / (variances[k] + noise);
                for (int i = 0; i < model.Length; i++) model[i] += weight * modes[k][i];
            }
        }
        return [.. Unflatten(model).Select(pose.Apply)];
    }

    /// <summary>Per landmark, the RMS distance between each training case and the prior (built without it, K modes) fitted
    /// to its reference landmarks: what the prior's placement is expected to miss by on a new case.</summary>
    public double[] LeaveOneOutResidualsMm(IReadOnlyList<WorldMm[]> cases, int modeCount)
    {
        var squared = new double[cases[0].Length];
        for (int left = 0; left < cases.Count; left++)
        {
            var prior = Build([.. cases.Where((_, n) => n != left)]);
            var truth = cases[left].Select(p => p.AsVector()).ToArray();
            var placed = prior.Fit(truth, modeCount, 0);
            for (int l = 0; l < squared.Length; l++) squared[l] += (placed[l] - truth[l]).Dot(placed[l] - truth[l]);
        }
        return [.. squared.Select(s => Math.Sqrt(s / cases.Count))];
    }

    private static double[] Flatten(IReadOnlyList<Vec3> points) => [.. points.SelectMany(p => new[] { p.X, p.Y, p.Z })];
    private static Vec3[] Unflatten(double[] values) => [.. Enumerable.Range(0, values.Length / 3).Select(l => new Vec3(values[3 * l], values[3 * l + 1], values[3 * l + 2]))];
    private static double[] Subtract(double[] a, double[] b) => [.. a.Select((v, i) => v - b[i])];
    private static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();
}
