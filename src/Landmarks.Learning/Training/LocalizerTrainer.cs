using System.Diagnostics;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;
using Landmarks.Learning.Data;
using Landmarks.Learning.Inference;
using Landmarks.Learning.Model;
using Landmarks.Learning.Networks;
using Landmarks.Learning.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Landmarks.Learning.Training;

/// <summary>
/// Trains the global network, then one local network per landmark whose training crops are offset
/// by the global network's own errors. Adam with AMSGrad and a cosine learning-rate decay; the
/// weights kept are those with the lowest validation mean radial error (per landmark for the local
/// stage). A checkpoint (current weights, where training stands, and Adam's moment estimates beside
/// it) is written atomically every <see cref="LocalizerConfig.CheckpointEvery"/> iterations, so a
/// resumed run goes on exactly as the uninterrupted one would have.
/// </summary>
public sealed class LocalizerTrainer
{
    private const string GlobalStage = "global";
    private const string LocalStage = "local";
    private readonly LocalizerConfig _config;
    private readonly IReadOnlyList<string> _names;
    private readonly IReadOnlyList<TrainingCase> _train;
    private readonly IReadOnlyList<TrainingCase> _validation;
    private readonly TrainerOptions _options;
    private readonly string _manifestSha256;
    private readonly Stopwatch _clock = new();

    /// <param name="manifestSha256">Hash of the training manifest, recorded in the model.</param>
    public LocalizerTrainer(LocalizerConfig config, IReadOnlyList<string> names, IReadOnlyList<TrainingCase> train, IReadOnlyList<TrainingCase> validation,
        TrainerOptions options, string manifestSha256)
    {
        if (train.Count == 0) throw new ArgumentException("no training cases");
        _config = config;
        _names = names;
        _train = train;
        _validation = validation;
        _options = options;
        _manifestSha256 = manifestSha256;
    }

    private string BestPath => BestPathOf(_options.CheckpointPath);
    private string OptimizerPath => OptimizerPathOf(_options.CheckpointPath);
    private static string BestPathOf(string checkpointPath) => checkpointPath + ".best";
    private static string OptimizerPathOf(string checkpointPath) => checkpointPath + ".optimizer";

    /// <summary>The files a run keeps beside <paramref name="checkpointPath"/> until it has finished.</summary>
    public static IReadOnlyList<string> CheckpointFiles(string checkpointPath) => [checkpointPath, BestPathOf(checkpointPath), OptimizerPathOf(checkpointPath)];

    public LocalizerModel Run()
    {
        _clock.Start();
        torch.manual_seed(_options.Seed);
        var summary = new Dictionary<string, double>();
        var model = LocalizerModel.Create(Metadata(summary));
        var best = LocalizerModel.Create(Metadata(summary));
        int globalIterations = _config.Global.Iterations, localIterations = _config.Local.Iterations;
        string stage = GlobalStage;
        int start = 0;
        if (_options.Resume && File.Exists(_options.CheckpointPath))
        {
            model.Dispose();
            model = LocalizerModel.Load(_options.CheckpointPath);
            if (File.Exists(BestPath)) { best.Dispose(); best = LocalizerModel.Load(BestPath); }
            var state = model.Metadata.TrainingSummary;
            // Where training stood belongs to the checkpoint, not to the model's summary.
            summary = state.Where(entry => !entry.Key.StartsWith(CheckpointKey)).ToDictionary();
            stage = state[CheckpointKey + "stage"] == 0 ? GlobalStage : LocalStage;
            start = (int)state[CheckpointKey + "iteration"];
            globalIterations = (int)state[CheckpointKey + "globalIterations"];
            localIterations = (int)state[CheckpointKey + "localIterations"];
            _options.Log?.Invoke($"resuming the {stage} stage at iteration {start} from {_options.CheckpointPath}");
        }
        model.To(_options.Device);
        best.To(_options.Device);

        if (stage == GlobalStage)
        {
            globalIterations = TrainGlobal(model, best, summary, start, globalIterations, localIterations);
            start = 0;
        }
        CopyWeights(best.Global, model.Global);
        localIterations = TrainLocal(model, best, summary, start, globalIterations, localIterations);

        var config = _config with { PresenceThreshold = _config.PresenceThreshold ?? CalibratePresence(best, summary) };
        var final = best.WithMetadata(Metadata(summary, config));
        model.Dispose();
        return final;
    }

    private ModelMetadata Metadata(IReadOnlyDictionary<string, double> summary, LocalizerConfig? config = null) =>
        new(LocalizerModel.FormatVersion, LocalizerModel.ToolVersion, _names, config ?? _config, LocalizerModel.Normalisation, _manifestSha256, summary);

    /// <summary>The presence threshold from the validation cases, whole and halved (<see cref="PresenceCalibration"/>);
    /// the default without validation cases.</summary>
    private double CalibratePresence(LocalizerModel best, Dictionary<string, double> summary)
    {
        var result = _validation.Count > 0 ? PresenceCalibration.Calibrate(new Localizer(best, _options.Device), _validation) : null;
        if (result is null)
        {
            _options.Log?.Invoke($"presence threshold: {LocalizerConfig.DefaultPresenceThreshold} (no validation cases to calibrate it on)");
            return LocalizerConfig.DefaultPresenceThreshold;
        }
        summary["presence.present"] = result.Present;
        summary["presence.absent"] = result.Absent;
        summary["presence.falselyAbsent"] = result.FalselyAbsent;
        summary["presence.falselyPresent"] = result.FalselyPresent;
        _options.Log?.Invoke($"presence threshold {result.Threshold:0.###}, calibrated on the validation cases whole and halved: " +
            $"{result.FalselyAbsent} of {result.Present} landmarks in view called absent, {result.FalselyPresent} of {result.Absent} out of view called present");
        return result.Threshold;
    }

    /// <summary>Share of a time budget given to the global stage; the local stage gets what is left.</summary>
    private const double GlobalShare = 0.5;

    /// <summary>How many iterations fit in <paramref name="stageSeconds"/>, at the speed measured so far in this stage
    /// (validation pauses included).</summary>
    private static int FitIterations(int iteration, int start, Stopwatch stageClock, double stageSeconds)
    {
        double secondsPerIteration = stageClock.Elapsed.TotalSeconds / (iteration - start);
        return Math.Max(iteration + 1, start + (int)(stageSeconds / secondsPerIteration));
    }

    private static double LearningRate(double initial, int iteration, int iterations) =>
        initial * (0.05 + 0.95 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, iteration / (double)Math.Max(1, iterations)))));

    /// <summary>The random source of one sample. Seeded by a fixed mix (SplitMix64), not HashCode, which .NET
    /// randomises per process: the same seed must give the same model in every run.</summary>
    private Random RandomFor(int stage, int iteration, int sample)
    {
        ulong state = (uint)_options.Seed;
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

    private int TrainGlobal(LocalizerModel model, LocalizerModel best, Dictionary<string, double> summary, int start, int iterations, int localIterations)
    {
        var cfg = _config.Global;
        var grid = new PatchGrid(cfg.CropSize, cfg.Shape.OutputStride);
        var optimizer = optim.Adam(model.Global.parameters(), lr: cfg.LearningRate, amsgrad: true);
        if (start > 0) RestoreOptimizers([optimizer], stage: 0, start);
        double bestMre = summary.GetValueOrDefault("bestGlobalMreMm", double.PositiveInfinity);
        var stageClock = Stopwatch.StartNew();
        for (int iteration = start; iteration < iterations; iteration++)
        {
            if (_options.TimeBudget is TimeSpan budget && iteration > start && (iteration - start) % 50 == 0)
            {
                // Refitted as training goes, so a change of speed (another load on the machine) still ends on time.
                int fitted = FitIterations(iteration, start, stageClock, budget.TotalSeconds * GlobalShare - _clock.Elapsed.TotalSeconds + stageClock.Elapsed.TotalSeconds);
                if (iteration == start + 50 || Math.Abs(fitted - iterations) > iterations / 10)
                    _options.Log?.Invoke($"time budget {budget.TotalMinutes:0} min: global stage set to {fitted} iterations");
                iterations = fitted;
            }
            foreach (var group in optimizer.ParamGroups) group.LearningRate = LearningRate(cfg.LearningRate, iteration, iterations);
            using (var scope = NewDisposeScope())
            {
                var (input, targets) = GlobalBatch(grid, iteration);
                Report(GlobalStage, iteration + 1, iterations, Step(model.Global, optimizer, input, targets, cfg.Alpha), stageClock, start);
            }
            bool last = iteration + 1 == iterations;
            if ((iteration + 1) % _config.ValidateEvery == 0 || last)
            {
                // Without validation cases the latest weights are kept.
                double? mre = _validation.Count > 0 ? GlobalValidationMre(model) : null;
                if (mre is null || mre < bestMre)
                {
                    CopyWeights(model.Global, best.Global);
                    summary["bestGlobalIteration"] = iteration + 1;
                    if (mre is double value) summary["bestGlobalMreMm"] = bestMre = value;
                    SaveBest(best, summary);
                }
                if (mre is not null) _options.Log?.Invoke($"global iteration {iteration + 1}: validation MRE {mre:0.000} mm (best {bestMre:0.000})");
            }
            if ((iteration + 1) % _config.CheckpointEvery == 0 || last)
                SaveCheckpoint(model, [optimizer], summary, stage: 0, iteration + 1, iterations, localIterations);
        }
        summary["globalIterations"] = iterations;
        _options.Log?.Invoke($"global stage done: {iterations} iterations in {stageClock.Elapsed.TotalMinutes:0.0} min");
        return iterations;
    }

    /// <summary>One optimisation step on a batch, with the garbage collector held off while TorchSharp runs.</summary>
    private (double Total, double Regression, double Classification) Step(nn.Module<Tensor, PatchPrediction> network, optim.Optimizer optimizer, Tensor input, PatchTargets targets, double alpha)
    {
        using var noCollection = NoCollectionSection.Enter();
        network.train();
        optimizer.zero_grad();
        var prediction = network.forward(input.to(_options.Device));
        var loss = PatchLoss.Compute(prediction, targets.To(_options.Device), alpha);
        loss.Total.backward();
        optimizer.step();
        return (loss.TotalValue, loss.Regression, loss.Classification);
    }

    private (Tensor Input, PatchTargets Targets) GlobalBatch(PatchGrid grid, int iteration)
    {
        var cfg = _config.Global;
        int batch = cfg.BatchSize;
        var inputs = new float[batch][];
        var landmarks = new double[]?[batch][];
        var hidden = new bool[batch][];
        var augmentation = _config.Augmentation;
        Parallel.For(0, batch, b =>
        {
            var rng = RandomFor(0, iteration, b);
            var c = _train[rng.Next(_train.Count)];
            var size = c.Global.Size;
            // Centre of the image, moved by up to TranslationFraction of its extent.
            double[] centre = [.. size.Select(n => (n - 1) / 2.0 + (2 * rng.NextDouble() - 1) * augmentation.TranslationFraction * n)];
            var crop = CropTransform.Around(centre, cfg.CropSize, Augmentation.RandomAffine(rng, _config.Dimension, augmentation));
            inputs[b] = crop.Sample(c.Global);
            Augmentation.Intensity(rng, inputs[b], augmentation);
            landmarks[b] = [.. c.LandmarksMm.Select(p => p is WorldMm w ? crop.ToCrop(c.Global.ToVoxel(w)) : null)];
            hidden[b] = new bool[landmarks[b].Length];
            if (augmentation.PartialViewShare > 0 && rng.NextDouble() < augmentation.PartialViewShare)
            {
                var box = Augmentation.KeepPart(rng, inputs[b], cfg.CropSize, augmentation.PartialViewMinimumFraction);
                for (int l = 0; l < landmarks[b].Length; l++) hidden[b][l] = landmarks[b][l] is double[] p && !Augmentation.InBox(p, box);
            }
        });
        return (tensor(inputs.SelectMany(v => v).ToArray(), [batch, 1, .. grid.InputSize.Reverse().Select(n => (long)n)]), PatchTargets.Build(grid, landmarks, hidden));
    }

    private double GlobalValidationMre(LocalizerModel model)
    {
        var distances = GlobalErrors(_validation, GlobalEstimatesMm(model, _validation)).SelectMany(errors => errors).Select(e => e.Length).ToList();
        return distances.Count == 0 ? double.NaN : distances.Average();
    }

    /// <summary>The global stage's estimates (world mm) on the given cases: [case][landmark].</summary>
    private WorldMm[][] GlobalEstimatesMm(LocalizerModel model, IReadOnlyList<TrainingCase> cases)
    {
        var localizer = new Localizer(model, _options.Device);
        return [.. cases.Select(c => localizer.GlobalEstimates(c.Global).Select(e => c.Global.ToWorld(e.InputVoxel)).ToArray())];
    }

    /// <summary>Error vectors (estimate minus truth, mm) per landmark, over the cases where the landmark is present.</summary>
    private List<Vec3>[] GlobalErrors(IReadOnlyList<TrainingCase> cases, WorldMm[][] estimatesMm)
    {
        var errors = _names.Select(_ => new List<Vec3>()).ToArray();
        for (int c = 0; c < cases.Count; c++)
            for (int l = 0; l < _names.Count; l++)
                if (cases[c].LandmarksMm[l] is WorldMm truth) errors[l].Add(estimatesMm[c][l] - truth);
        return errors;
    }

    private int TrainLocal(LocalizerModel model, LocalizerModel best, Dictionary<string, double> summary, int start, int globalIterations, int iterations)
    {
        var cfg = _config.Local;
        int landmarks = _names.Count;
        var errors = GlobalErrors(_train, GlobalEstimatesMm(model, _train));
        for (int l = 0; l < landmarks; l++)
            summary[$"trainGlobalMreMm.{l}"] = errors[l].Count == 0 ? double.NaN : errors[l].Average(e => e.Length);
        var validationGlobal = GlobalEstimatesMm(model, _validation);
        var optimizers = model.Locals.Select(n => optim.Adam(n.parameters(), lr: cfg.LearningRate, amsgrad: true)).ToList();
        if (start > 0) RestoreOptimizers(optimizers, stage: 1, start);
        var bestMre = Enumerable.Range(0, landmarks).Select(l => summary.GetValueOrDefault($"bestLocalMreMm.{l}", double.PositiveInfinity)).ToArray();
        int[] cropSize = [.. Enumerable.Repeat(cfg.CropSize, _config.Dimension)];
        var grid = new PatchGrid(cropSize, LocalNetwork.OutputStride);
        var stageClock = Stopwatch.StartNew();
        for (int iteration = start; iteration < iterations; iteration++)
        {
            if (_options.TimeBudget is TimeSpan budget && iteration > start && (iteration - start) % 10 == 0)
            {
                int fitted = FitIterations(iteration, start, stageClock, budget.TotalSeconds * 0.97 - _clock.Elapsed.TotalSeconds + stageClock.Elapsed.TotalSeconds);
                if (iteration == start + 10 || Math.Abs(fitted - iterations) > iterations / 10)
                    _options.Log?.Invoke($"time budget {budget.TotalMinutes:0} min: local stage set to {fitted} iterations");
                iterations = fitted;
            }
            (double Total, double Regression, double Classification) last = default;
            for (int l = 0; l < landmarks; l++)
            {
                foreach (var group in optimizers[l].ParamGroups) group.LearningRate = LearningRate(cfg.LearningRate, iteration, iterations);
                using var scope = NewDisposeScope();
                var (input, targets) = LocalBatch(grid, l, errors[l], iteration);
                last = Step(model.Locals[l], optimizers[l], input, targets, cfg.Alpha);
            }
            Report(LocalStage, iteration + 1, iterations, last, stageClock, start);
            bool final = iteration + 1 == iterations;
            if ((iteration + 1) % _config.ValidateEvery == 0 || final)
            {
                double[]? mre = _validation.Count > 0 ? LocalValidationMre(model, validationGlobal) : null;
                for (int l = 0; l < landmarks; l++)
                    if (mre is null || mre[l] < bestMre[l])
                    {
                        CopyWeights(model.Locals[l], best.Locals[l]);
                        if (mre is not null) summary[$"bestLocalMreMm.{l}"] = bestMre[l] = mre[l];
                    }
                if (mre is not null)
                {
                    summary["bestLocalMreMm"] = bestMre.Average();
                    _options.Log?.Invoke($"local iteration {iteration + 1}: validation MRE {mre.Average():0.000} mm (best per landmark combined {bestMre.Average():0.000})");
                }
                SaveBest(best, summary);
            }
            if ((iteration + 1) % _config.CheckpointEvery == 0 || final)
                SaveCheckpoint(model, optimizers, summary, stage: 1, iteration + 1, globalIterations, iterations);
        }
        summary["localIterations"] = iterations;
        _options.Log?.Invoke($"local stage done: {iterations} iterations in {stageClock.Elapsed.TotalMinutes:0.0} min");
        if (_validation.Count > 0)
        {
            // A local network that does not beat the global estimate on the validation cases is not used.
            var globalMre = GlobalValidationMrePerLandmark(validationGlobal);
            for (int l = 0; l < landmarks; l++)
            {
                summary[$"validationGlobalMreMm.{l}"] = globalMre[l];
                summary[$"{Localizer.LocalEnabledKey}.{l}"] = bestMre[l] < globalMre[l] ? 1 : 0;
            }
            // What the model will do on the validation cases: the better of the two stages per landmark.
            summary["validationMreMm"] = Enumerable.Range(0, landmarks).Average(l => Math.Min(bestMre[l], globalMre[l]));
            var disabled = Enumerable.Range(0, landmarks).Where(l => bestMre[l] >= globalMre[l]).Select(l => _names[l]).ToList();
            if (disabled.Count > 0) _options.Log?.Invoke($"local stage not used where it did not beat the global one on validation: {string.Join(", ", disabled)}");
        }
        return iterations;
    }

    private (Tensor Input, PatchTargets Targets) LocalBatch(PatchGrid grid, int landmark, List<Vec3> globalErrors, int iteration)
    {
        var cfg = _config.Local;
        var candidates = _train.Where(c => c.LandmarksMm[landmark] is not null).ToList();
        var inputs = new float[cfg.BatchSize][];
        var positions = new double[]?[cfg.BatchSize][];
        Parallel.For(0, cfg.BatchSize, b =>
        {
            var rng = RandomFor(1 + landmark, iteration, b);
            var c = candidates[rng.Next(candidates.Count)];
            var truth = c.LandmarksMm[landmark]!.Value;
            // Where the global stage would have put it: one of its real errors, enlarged, plus jitter.
            var error = globalErrors.Count > 0 ? globalErrors[rng.Next(globalErrors.Count)] * cfg.OffsetScale : Vec3.Zero;
            var jitter = new Vec3(Augmentation.Gaussian(rng), Augmentation.Gaussian(rng), _config.Dimension == 3 ? Augmentation.Gaussian(rng) : 0) * cfg.OffsetJitterMm;
            var centre = truth + error + jitter;
            var crop = CropTransform.Around(c.Local.ToVoxel(centre), grid.InputSize, Augmentation.RandomAffine(rng, _config.Dimension, _config.Augmentation));
            inputs[b] = crop.Sample(c.Local);
            Augmentation.Intensity(rng, inputs[b], _config.Augmentation);
            positions[b] = [crop.ToCrop(c.Local.ToVoxel(truth))];
        });
        return (tensor(inputs.SelectMany(v => v).ToArray(), [cfg.BatchSize, 1, .. grid.InputSize.Reverse().Select(n => (long)n)]), PatchTargets.Build(grid, positions));
    }

    private double[] GlobalValidationMrePerLandmark(WorldMm[][] globalEstimates) =>
        [.. GlobalErrors(_validation, globalEstimates).Select(errors => errors.Count == 0 ? double.NaN : errors.Average(e => e.Length))];

    private double[] LocalValidationMre(LocalizerModel model, WorldMm[][] globalEstimates)
    {
        var localizer = new Localizer(model, _options.Device);
        var sums = new double[_names.Count];
        var counts = new int[_names.Count];
        for (int v = 0; v < _validation.Count; v++)
            for (int l = 0; l < _names.Count; l++)
                if (_validation[v].LandmarksMm[l] is WorldMm truth)
                {
                    sums[l] += localizer.Refine(l, _validation[v].Local, globalEstimates[v][l]).DistanceTo(truth);
                    counts[l]++;
                }
        return [.. sums.Select((s, l) => counts[l] == 0 ? double.NaN : s / counts[l])];
    }

    private void Report(string stage, int iteration, int iterations, (double Total, double Regression, double Classification) loss, Stopwatch stageClock, int start)
    {
        if (_options.Progress is null || (iteration % 10 != 0 && iteration != iterations)) return;
        double rate = (iteration - start) / Math.Max(1e-9, stageClock.Elapsed.TotalSeconds);
        var remaining = TimeSpan.FromSeconds((iterations - iteration) / Math.Max(rate, 1e-9));
        _options.Progress(new TrainingProgress(stage, iteration, iterations, loss.Total, loss.Regression, loss.Classification, rate, remaining));
    }

    private static void CopyWeights(nn.Module from, nn.Module to)
    {
        using var noGrad = no_grad();
        var source = from.state_dict();
        foreach (var (name, value) in to.state_dict()) value.copy_(source[name]);
    }

    /// <summary>Prefix of the summary entries that say where a checkpoint's training stood.</summary>
    private const string CheckpointKey = "checkpoint.";
    private const string OptimizerMagic = "landmarks optimizer state 1";

    /// <summary>Writes the optimizers' state (tagged with the stage and iteration it belongs to), then the
    /// checkpoint: a kill between the two leaves state that does not match, which resuming notices.</summary>
    private void SaveCheckpoint(LocalizerModel model, IReadOnlyList<optim.Optimizer> optimizers, Dictionary<string, double> summary, int stage, int iteration, int globalIterations, int localIterations)
    {
        AtomicFile.Write(OptimizerPath, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(OptimizerMagic);
            writer.Write(stage);
            writer.Write(iteration);
            writer.Write(optimizers.Count);
            foreach (var optimizer in optimizers) ((OptimizerHelper)optimizer).save_state_dict(writer);
        });
        var state = new Dictionary<string, double>(summary)
        {
            [CheckpointKey + "stage"] = stage,
            [CheckpointKey + "iteration"] = iteration,
            [CheckpointKey + "globalIterations"] = globalIterations,
            [CheckpointKey + "localIterations"] = localIterations,
        };
        model.WithMetadata(Metadata(state)).Save(_options.CheckpointPath);
    }

    /// <summary>Loads Adam's state saved with the checkpoint being resumed; without it (a checkpoint of an
    /// older version, or a kill between the two writes) the moment estimates start afresh.</summary>
    private void RestoreOptimizers(IReadOnlyList<optim.Optimizer> optimizers, int stage, int iteration)
    {
        if (File.Exists(OptimizerPath))
        {
            using var reader = new BinaryReader(File.OpenRead(OptimizerPath), System.Text.Encoding.UTF8);
            if (reader.ReadString() == OptimizerMagic && reader.ReadInt32() == stage && reader.ReadInt32() == iteration && reader.ReadInt32() == optimizers.Count)
            {
                foreach (var optimizer in optimizers) ((OptimizerHelper)optimizer).load_state_dict(reader);
                return;
            }
        }
        _options.Log?.Invoke($"no optimizer state saved with this checkpoint: Adam's moment estimates start afresh");
    }

    private void SaveBest(LocalizerModel best, Dictionary<string, double> summary) => best.WithMetadata(Metadata(summary)).Save(BestPath);
}
