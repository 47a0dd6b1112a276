using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Model;
using Landmarks.Inference.Patches;
using Landmarks.Inference.Shape;

namespace Landmarks.Inference.Tests;

/// <summary>
/// The inference core on its own, with no deep-learning engine: a stand-in network that finds each landmark's
/// marker in its input (a small cube of a value of its own) and answers as a perfect patch network would. The
/// localizer must then put every landmark at its marker in world mm, through both stages, the pose passes and
/// local crops turned to the fitted pose, on an oblique grid.
/// </summary>
public class LocalizerTests
{
    /// <summary>Marks landmark l by a cube of value 10 (l + 1), on a background of values in [0, 1).</summary>
    private sealed class MarkerFinder(int landmarks, int stride) : IPatchNetwork
    {
        public int Calls, Inputs;

        public PatchOutput Run(IReadOnlyList<float[]> inputs, int[] size)
        {
            Interlocked.Increment(ref Calls);
            Interlocked.Add(ref Inputs, inputs.Count);
            var grid = new PatchGrid(size, stride);
            int cells = grid.CellCount, d = size.Length;
            var logits = new float[inputs.Count * landmarks * cells];
            var displacements = new float[inputs.Count * landmarks * d * cells];
            for (int n = 0; n < inputs.Count; n++)
                for (int l = 0; l < landmarks; l++)
                {
                    // The centre of the marker's core: voxels whose face neighbours all hold its value (a turned crop's
                    // interpolation blurs the cube's surface through every lower marker's value).
                    bool Marked(int i, int j, int k) => i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < (d == 3 ? size[2] : 1)
                        && Math.Abs(inputs[n][(k * size[1] + j) * size[0] + i] - 10 * (l + 1)) < 1.5;
                    double sx = 0, sy = 0, sz = 0;
                    int found = 0;
                    for (int k = 0; k < (d == 3 ? size[2] : 1); k++)
                        for (int j = 0; j < size[1]; j++)
                            for (int i = 0; i < size[0]; i++)
                                if (Marked(i, j, k) && Marked(i - 1, j, k) && Marked(i + 1, j, k) && Marked(i, j - 1, k) && Marked(i, j + 1, k)
                                    && (d == 2 || Marked(i, j, k - 1) && Marked(i, j, k + 1)))
                                {
                                    sx += i;
                                    sy += j;
                                    sz += k;
                                    found++;
                                }
                    int at = found == 0 ? -1 : grid.FlatCellContaining(new Stages.CropVoxel(sx / found, sy / found, sz / found));
                    for (int c = 0; c < cells; c++)
                    {
                        logits[(n * landmarks + l) * cells + c] = c == at ? 8 : -8;
                        if (found == 0) continue;
                        var centre = grid.CentreOfCell(c);
                        double[] target = [sx / found, sy / found, sz / found];
                        for (int axis = 0; axis < d; axis++)
                            displacements[((n * landmarks + l) * d + axis) * cells + c] = (float)SignedLog.Compress(target[axis] - centre[axis]);
                    }
                }
            return new PatchOutput(inputs.Count, landmarks, d, cells, logits, displacements);
        }
    }

    private static readonly WorldMm[] Truth = [new(12, -20, 41), new(30, -12, 50), new(20, -30, 35), new(25, -22, 60), new(14, -8, 52)];

    /// <summary>A volume on an oblique grid of 1 mm with a 5-voxel marker cube around each landmark's nearest voxel.</summary>
    private static (Image Image, WorldMm[] Markers) Scan()
    {
        var direction = Matrix3.AxisAngle(new Vec3(1, 2, 2) / 3, 0.6);
        var geometry = new ImageGeometry(3, new GridSize(60, 56, 52), Vec3.One, new WorldMm(15, -40, 20) - direction * new Vec3(22, 14, 6), direction);
        var rng = new Random(5);
        var image = new Image(geometry, [.. Enumerable.Range(0, 60 * 56 * 52).Select(_ => (float)rng.NextDouble())]);
        var markers = new WorldMm[Truth.Length];
        for (int l = 0; l < Truth.Length; l++)
        {
            var index = geometry.WorldToIndex(Truth[l]);
            int ci = (int)Math.Round(index.I), cj = (int)Math.Round(index.J), ck = (int)Math.Round(index.K);
            for (int k = -2; k <= 2; k++)
                for (int j = -2; j <= 2; j++)
                    for (int i = -2; i <= 2; i++) image[ci + i, cj + j, ck + k] = 10 * (l + 1);
            markers[l] = geometry.IndexToWorld(new VoxelIndex(ci, cj, ck));
        }
        return (image, markers);
    }

    private static LocalizerModel Model(bool withShape, int? localPasses = null)
    {
        var config = LocalizerConfig.Derive(3, 1, [60, 56, 52]);
        // Both stages on the scan's own 1 mm grid: no smoothing blurs the markers away.
        config = config with { Global = config.Global with { SpacingMm = 1, CropSize = [64, 64, 56] }, Local = config.Local with { SpacingMm = 1, CropSize = 16 }, PresenceThreshold = 0.5 };
        var names = Enumerable.Range(1, Truth.Length).Select(n => $"L{n}").ToList();
        // A shape model from moved copies of the truth: the localizer then fits poses and turns its crops.
        var shape = withShape
            ? ShapeModel.Build(3, [.. Enumerable.Range(0, 4).Select(k => Truth.Select(p => (WorldMm?)WorldMm.FromVector(Matrix3.Rotation(k % 3, 0.2 * k) * p.AsVector() + new Vec3(k, 0, 0))).ToArray())])
            : null;
        var metadata = new ModelMetadata(2, "test", names, config, ModelMetadata.Normalisation, "", shape,
            [.. names.Select(_ => new LandmarkStage(true, 2))], null, null, null) { LocalPasses = localPasses };
        return new LocalizerModel(metadata, new MarkerFinder(Truth.Length, config.Global.Shape.OutputStride), new MarkerFinder(Truth.Length, LocalStageConfig.OutputStride), null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_perfect_network_puts_every_landmark_on_its_marker(bool withShape)
    {
        var (image, markers) = Scan();
        using var model = Model(withShape);
        var located = new Localizer(model).Locate(image);
        Assert.Equal(Truth.Length, located.Count);
        for (int l = 0; l < Truth.Length; l++)
        {
            Assert.True(located[l].Present, $"L{l + 1} called absent ({located[l].Confidence})");
            Assert.True(located[l].PositionMm.DistanceTo(markers[l]) < 0.25, $"L{l + 1} at {located[l].PositionMm}, its marker at {markers[l]}");
        }
        Assert.True(((MarkerFinder)model.Local).Calls > 0, "the local stage ran");
    }

    [Theory]
    [InlineData(1, null, 5)]
    [InlineData(2, null, 5 + 5 * 7)]
    [InlineData(2, 1, 5)]             // the caller's choice over the model's
    [InlineData(1, 2, 5 + 5 * 7)]
    public void The_local_stage_makes_the_passes_its_model_or_caller_chose_and_each_lands_on_the_markers(int modelPasses, int? callerPasses, int crops)
    {
        var (image, markers) = Scan();
        using var model = Model(withShape: true, localPasses: modelPasses);
        var located = new Localizer(model, localPasses: callerPasses).Locate(image);
        // One crop per landmark; a second pass adds, per landmark, one around the first estimate and one shifted each way
        // along each of the 3 axes.
        Assert.Equal(crops, ((MarkerFinder)model.Local).Inputs);
        for (int l = 0; l < Truth.Length; l++)
            Assert.True(located[l].PositionMm.DistanceTo(markers[l]) < 0.25, $"L{l + 1} at {located[l].PositionMm}, its marker at {markers[l]}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Local_passes_other_than_one_or_two_are_refused(int passes)
    {
        using var model = Model(withShape: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Localizer(model, localPasses: passes));
    }

    [Fact]
    public void Pose_passes_stop_once_the_pose_has_settled()
    {
        var (image, _) = Scan();
        using var model = Model(withShape: true);
        new Localizer(model).Locate(image);
        // The pass on the image's axes, one on the crop turned to its fitted pose; the pose fitted to that one's exact
        // estimates is the same, so a third would see the same crop.
        Assert.Equal(2, ((MarkerFinder)model.Global).Calls);
    }

    /// <summary>
    /// A shape model of 20 landmarks from cases that vary about their mean by 0.25 mm (per axis), and a new case of the same
    /// kind in another pose, estimated with independent errors of 0.25 mm per axis: weighed against the shape fitted to
    /// them, the estimates come nearer (two estimates of equal spread average to about 1/sqrt(2) of the error); one
    /// estimate far off is pulled to the placement instead of dragging the others; landmarks not usable keep their estimates.
    /// </summary>
    [Fact]
    public void Final_estimates_weighed_against_the_shape_come_nearer_and_a_miss_goes_to_the_placement()
    {
        var rng = new Random(3);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        Vec3 Noise(double sigma) => new Vec3(Gauss(), Gauss(), Gauss()) * sigma;
        var mean = Enumerable.Range(0, 20).Select(_ => new Vec3(rng.NextDouble(), rng.NextDouble(), rng.NextDouble()) * 20).ToArray();
        WorldMm[] Case(Matrix3 rotation, Vec3 shift) => [.. mean.Select(p => WorldMm.FromVector(rotation * (p + Noise(0.25)) + shift))];
        var shape = ShapeModel.Build(3, [.. Enumerable.Range(0, 30).Select(k => Case(Matrix3.Rotation(k % 3, 0.1 * k), new Vec3(k, -k, 2 * k)).Select(p => (WorldMm?)p).ToArray())]);
        var config = LocalizerConfig.Derive(3, 1, [60, 56, 52]);
        var names = Enumerable.Range(1, mean.Length).Select(n => $"L{n}").ToList();
        double estimateError = 0.25 * 1.596;  // the mean radial error of independent errors of 0.25 mm per axis
        var metadata = new ModelMetadata(2, "test", names, config, ModelMetadata.Normalisation, "", shape,
            [.. names.Select(_ => new LandmarkStage(true, 2, estimateError))], null, null, null) { ShapeBlend = true };
        using var model = new LocalizerModel(metadata, new MarkerFinder(mean.Length, 8), new MarkerFinder(mean.Length, 2), null);
        var localizer = new Localizer(model);
        double before = 0, after = 0;
        int count = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            var truth = Case(Matrix3.AxisAngle(new Vec3(2, 1, 2) / 3, 0.7 + 0.05 * trial), new Vec3(30, 5, -12));
            var estimates = truth.Select(t => t + Noise(0.25)).ToArray();
            estimates[0] = truth[0] + new Vec3(6, 0, 0);
            var usable = Enumerable.Range(0, mean.Length).Select(l => l != 1).ToArray();
            var blended = localizer.BlendWithShape(estimates, usable);
            Assert.Equal(estimates[1], blended[1]);
            Assert.True(blended[0].DistanceTo(truth[0]) < 1, $"the miss stayed {blended[0].DistanceTo(truth[0]):0.00} mm off");
            for (int l = 2; l < mean.Length; l++)
            {
                before += estimates[l].DistanceTo(truth[l]);
                after += blended[l].DistanceTo(truth[l]);
                count++;
            }
        }
        Assert.InRange(after / before, 0.6, 0.85);
    }

    [Fact]
    public void One_localizer_serves_many_threads_with_the_results_of_sequential_calls()
    {
        var (image, _) = Scan();
        using var model = Model(withShape: true);
        var localizer = new Localizer(model);
        var sequential = localizer.Locate(image);
        var results = new IReadOnlyList<LocatedLandmark>[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n => results[n] = localizer.Locate(image));
        Assert.All(results, r => Assert.Equal(sequential, r));
    }

    [Fact]
    public void Prediction_run_writes_every_readable_scan_fails_the_broken_one_alone_and_a_rerun_skips_what_is_done()
    {
        using var dir = new Landmarks.Tests.TempDirectory();
        var (image, markers) = Scan();
        foreach (string id in new[] { "a", "b" }) Landmarks.Imaging.Formats.ImageFile.Write(image, dir.File(id + ".nrrd"));
        File.WriteAllText(dir.File("c.nrrd"), "NRRD0004\ntype: float\n");
        var scans = new[] { "a", "b", "c" }.Select(id => new Landmarks.Imaging.Datasets.ScanInput(id, dir.File(id + ".nrrd"), null)).ToList();
        using var model = Model(withShape: true);
        var localizer = new Localizer(model);
        string csv = dir.File("out/predictions.csv");
        var outcomes = new List<PredictedCase>();
        PredictionSummary first;
        using (var run = PredictionRun.Open(csv, dir.File("markups")))
        {
            // One writer at a time: a second run on the same file is refused before it does anything.
            Assert.Contains("another process is writing it", Assert.Throws<Landmarks.Imaging.IO.InvalidFileException>(() => PredictionRun.Open(csv)).Reason);
            first = run.Run(localizer, scans, outcomes.Add);
        }
        Assert.Equal(new PredictionSummary(2, 0, 1), first);
        Assert.Equal(["a", "b", "c"], outcomes.Select(o => o.CaseId));
        Assert.Contains("c.nrrd", outcomes[2].Error);
        var rows = Landmarks.Imaging.Annotations.PredictionCsv.Read(csv);
        Assert.Equal(2 * Truth.Length, rows.Count);
        Assert.All(rows, r => Assert.True(r.PositionMm!.Value.DistanceTo(markers[int.Parse(r.Landmark[1..]) - 1]) < 0.25, $"{r.CaseId} {r.Landmark} at {r.PositionMm}"));
        Assert.True(File.Exists(dir.File("markups/b.mrk.json")));
        byte[] written = File.ReadAllBytes(csv);
        using (var rerun = PredictionRun.Open(csv))
            Assert.Equal(new PredictionSummary(0, 2, 1), rerun.Run(localizer, scans));
        Assert.Equal(written, File.ReadAllBytes(csv));
    }
}
