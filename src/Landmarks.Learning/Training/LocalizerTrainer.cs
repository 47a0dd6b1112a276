using System.Diagnostics;
using Landmarks.Imaging.Geometry;
using Landmarks.Learning.Data;
using Landmarks.Inference;
using Landmarks.Inference.Model;
using Landmarks.Learning.Model;
using Landmarks.Learning.Networks;
using Landmarks.Inference.Shape;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Training;

/// <summary>
/// Trains the global network (or takes that of a trained model), then the local network on crops around where it would
/// start from (the global estimates weighed against the shape model), turned to each case's pose. Adam with AMSGrad and a cosine
/// learning-rate decay; the weights kept (their running average, <see cref="WeightAverage"/>, where the configuration
/// asks for one) are those with the lowest validation mean radial error; at the end,
/// each landmark keeps the local stage only where it beat its start on the validation cases, and the presence
/// threshold is calibrated. A checkpoint (<see cref="CheckpointStore"/>) is written every
/// <see cref="LocalizerConfig.CheckpointEvery"/> iterations, so a resumed run goes on exactly as the
/// uninterrupted one would have.
/// </summary>
public sealed class LocalizerTrainer
{
    /// <summary>The learning rate decays along a cosine to this share of its initial value, not to 0: the last
    /// iterations still move the weights.</summary>
    private const double LearningRateFloor = 0.05;

    /// <summary>Iterations between refits of the iteration count to a time budget.</summary>
    private const int BudgetFitEvery = 20;

    private readonly LocalizerConfig _config;
    private readonly IReadOnlyList<string> _names;
    private readonly IReadOnlyList<TrainingCase> _train;
    private readonly IReadOnlyList<TrainingCase> _validation;
    private readonly TrainerOptions _options;
    private readonly string _manifestSha256;
    private readonly CheckpointStore _store;
    private readonly Stopwatch _clock = new();
    private readonly TimeBudget? _budget;
    private readonly ShapeModel? _shape;
    private readonly TrainingTimes _times = new();
    private TrainingRecord _record = TrainingRecord.Empty;
    private readonly TorchModel? _globalStage;

    /// <param name="manifestSha256">Hash of the training manifest, recorded in the model.</param>
    /// <param name="globalStage">A trained model whose global stage this run takes instead of training one (its global settings
    /// must be <paramref name="config"/>'s); not owned.</param>
    public LocalizerTrainer(LocalizerConfig config, IReadOnlyList<string> names, IReadOnlyList<TrainingCase> train, IReadOnlyList<TrainingCase> validation,
        TrainerOptions options, string manifestSha256, TorchModel? globalStage = null)
    {
        if (globalStage is not null && System.Text.Json.JsonSerializer.Serialize(globalStage.Config.Global) != System.Text.Json.JsonSerializer.Serialize(config.Global))
            throw new ArgumentException("the configuration's global settings are not those of the global stage taken", nameof(config));
        _globalStage = globalStage;
        if (train.Count == 0) throw new ArgumentException("no training cases");
        _config = config;
        _names = names;
        _train = train;
        _validation = validation;
        _options = options;
        _manifestSha256 = manifestSha256;
        _store = new CheckpointStore(options.CheckpointPath, options.Log);
        _budget = options.TimeBudget is TimeSpan budget ? new TimeBudget(budget, _clock) : null;
        _shape = BuildShape(config.Dimension, train);
        _poses = [.. train.Select(c => _shape?.PoseOf(c.LandmarksMm)?.Rotation)];
    }

    /// <summary>Per training case, the rotation of its pose (the shape model fitted to its reference landmarks): the global
    /// stage's training crops are turned to it, so that the network learns the anatomy in one orientation, give or take
    /// augmentation.</summary>
    private readonly Matrix3?[] _poses;

    /// <summary>The training cases' mean shape, or null when their landmarks are too few to give a pose.</summary>
    public static ShapeModel? BuildShape(int dimension, IReadOnlyList<TrainingCase> cases)
    {
        int minimum = dimension == 2 ? 2 : 3;
        if (cases.Count == 0 || cases[0].LandmarksMm.Length <= minimum) return null;
        try
        {
            return ShapeModel.Build(dimension, [.. cases.Select(c => c.LandmarksMm)]);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Where the minutes of this run went, for the log and the model's summary.</summary>
    public TrainingTimes Times => _times;

    public TorchModel Run()
    {
        _clock.Start();
        torch.manual_seed(_options.Seed);
        var template = _globalStage is not null ? _globalStage.Template : BuildTemplate();
        var model = TorchModel.Create(Metadata(null)).WithTemplate(template);
        var best = TorchModel.Create(Metadata(null)).WithTemplate(template);
        var average = TorchModel.Create(Metadata(null)).WithTemplate(template);
        int globalIterations = _config.Global.Iterations, localIterations = _config.Local.Iterations, start = 0;
        var stage = TrainingStage.Global;
        if (_options.Resume && _store.HasCheckpoint)
        {
            model.Dispose();
            best.Dispose();
            average.Dispose();
            CheckpointState state;
            (model, best, average, state) = _store.Load();
            // A checkpoint of an earlier version has no record: its best validation errors are forgotten, and the first
            // validation after resuming sets them again.
            _record = model.Metadata.Training ?? TrainingRecord.Empty;
            (stage, start, globalIterations, localIterations) = (state.Stage, state.Iteration, state.GlobalIterations, state.LocalIterations);
            _options.Log?.Invoke($"resuming the {stage.ToString().ToLowerInvariant()} stage at iteration {start} from {_store.CheckpointPath}");
        }
        else
        {
            if (_globalStage is not null)
            {
                CopyWeights(_globalStage.Global, model.Global);
                CopyWeights(_globalStage.Global, best.Global);
                var trained = _globalStage.Metadata.Training;
                globalIterations = trained?.GlobalIterations ?? 0;
                best.To(_options.Device);
                // Measured again on this run's validation cases, which need not be those that chose the weights.
                _record = _record with { GlobalIterations = globalIterations, BestGlobalIteration = trained?.BestGlobalIteration, BestGlobalMreMm = GlobalValidationMre(best) };
                stage = TrainingStage.Local;
            }
            CopyWeights(model.Global, average.Global);
            CopyWeights(model.Local, average.Local);
        }
        model.To(_options.Device);
        best.To(_options.Device);
        average.To(_options.Device);

        if (stage == TrainingStage.Global)
        {
            globalIterations = TrainGlobal(model, best, average, start, globalIterations, localIterations);
            start = 0;
        }
        CopyWeights(best.Global, model.Global);
        var local = PrepareLocal(best);
        localIterations = TrainLocal(model, best, average, local, start, globalIterations, localIterations);
        var choice = ChooseStages(best, local);

        var (threshold, presence) = _times.Measure(TrainingTimes.Calibration, () => ChoosePresenceThreshold(best.WithMetadata(Metadata(choice.Stages))));
        var config = _config with { PresenceThreshold = _config.PresenceThreshold ?? threshold };
        var final = best.WithMetadata(Metadata(choice.Stages, config) with { Presence = presence, LocalPasses = choice.LocalPasses, ShapeBlend = choice.ShapeBlend });
        model.Dispose();
        average.Dispose();
        LogStory(choice.Rows);
        return final;
    }

    /// <summary>The training cases' average appearance for the pose search, when the configuration searches poses.</summary>
    private AppearanceTemplate? BuildTemplate()
    {
        if (!_config.Global.PoseSearch || _shape is null) return null;
        return AppearanceTemplate.Build([.. _train.Select(c => c.Global)], [.. _train.Select(c => _shape.PoseOf(c.LandmarksMm))],
            _config.Global.CropSize, _config.Global.SpacingMm);
    }

    private ModelMetadata Metadata(IReadOnlyList<LandmarkStage>? stages, LocalizerConfig? config = null) =>
        new(TorchModel.FormatVersion, TorchModel.ToolVersion, _names, config ?? _config, ModelMetadata.Normalisation, _manifestSha256,
            _shape, stages, Presence: null, Checkpoint: null, _record);

    private int TrainGlobal(TorchModel model, TorchModel best, TorchModel average, int start, int iterations, int localIterations)
    {
        var cfg = _config.Global;
        var optimizer = optim.Adam(model.Global.parameters(), lr: cfg.LearningRate, amsgrad: true);
        if (start > 0) _store.RestoreOptimizer(optimizer, TrainingStage.Global, start);
        var batches = new GlobalBatches(_config, _train, _poses, _options.Seed);
        double bestMre = _record.BestGlobalMreMm ?? double.PositiveInfinity;
        var averager = new WeightAverage(model.Global, average.Global, _config.WeightAverageShare);
        iterations = RunStage(TrainingStage.Global, model.Global, optimizer, averager, batches.Make, cfg.LearningRate, cfg.Alpha, start, iterations, TimeBudget.GlobalShare,
            validate: iteration =>
            {
                // Without validation cases the latest average is kept.
                double? mre = GlobalValidationMre(average);
                if (mre is null || mre < bestMre)
                {
                    CopyWeights(average.Global, best.Global);
                    if (mre is double value) bestMre = value;
                    _record = _record with { BestGlobalIteration = iteration, BestGlobalMreMm = mre };
                    _store.SaveBest(best, Metadata(null));
                }
                if (mre is not null) _options.Log?.Invoke($"global iteration {iteration}: validation MRE {mre:0.000} mm (best {bestMre:0.000})");
            },
            checkpoint: (iteration, total) => _store.Save(model, average, Metadata(null), optimizer, new CheckpointState(TrainingStage.Global, iteration, total, localIterations)));
        _record = _record with { GlobalIterations = iterations };
        return iterations;
    }

    /// <summary>The global stage's mean radial error on the validation cases; null without them.</summary>
    private double? GlobalValidationMre(TorchModel model) =>
        _validation.Count > 0 ? Mean(GlobalErrors(_validation, GlobalEstimatesMm(model, _validation)).SelectMany(e => e).Select(e => e.Length)) : null;

    /// <summary>What the local stage starts from, once the global stage is trained.</summary>
    /// <param name="Stages">Per landmark: the global stage's error (weighing its estimates against the shape model), local on.</param>
    /// <param name="StartErrors">Per landmark, start minus truth on the training cases (mm): where training crops are centred.</param>
    /// <param name="Poses">Per training case, the rotation of the pose fitted to its start, to which the localizer will turn its
    /// local crops (where no pose was fitted, that of its reference landmarks). Not the reference pose: fitted to global
    /// estimates, a pose is off by their errors' share (3D phantoms: 13.6 degrees on average), and a local network trained
    /// near the reference poses only lost on crops turned that far (the 3D demo: 2.23 mm held out, 1.45 trained this way).</param>
    /// <param name="ValidationStarts">Per validation case, the start the localizer would take from its global estimates.</param>
    /// <param name="TrainGlobalMre">Per landmark, the global stage's mean error on the training cases (mm).</param>
    private sealed record LocalPreparation(LandmarkStage[] Stages, List<Vec3>[] StartErrors, Matrix3?[] Poses, LocalStart[] ValidationStarts, double[] ValidationStartMre,
        double[] TrainGlobalMre);

    private LocalPreparation PrepareLocal(TorchModel best)
    {
        var trainGlobal = GlobalEstimatesMm(best, _train);
        var validationGlobal = GlobalEstimatesMm(best, _validation);
        var trainErrors = GlobalErrors(_train, trainGlobal).Select(e => Mean(e.Select(v => v.Length))).ToArray();
        var validationErrors = GlobalErrors(_validation, validationGlobal).Select(e => Mean(e.Select(v => v.Length))).ToArray();
        // Errors on new images are larger than on the training cases: without validation cases, enlarge those.
        var stages = Enumerable.Range(0, _names.Count).Select(l => new LandmarkStage(true,
            double.IsFinite(validationErrors[l]) ? validationErrors[l] : trainErrors[l] * _config.Local.OffsetScale)).ToArray();
        var localizer = new Localizer(best.WithMetadata(Metadata(stages)).ToInference(_options.Device));
        var trainStarts = _train.Select((c, n) => localizer.Start(trainGlobal[n], AllTrue(_names.Count))).ToArray();
        var startErrors = GlobalErrors(_train, [.. trainStarts.Select(s => s.PositionsMm)]);
        var validationStarts = _validation.Select((c, n) => localizer.Start(validationGlobal[n], AllTrue(_names.Count))).ToArray();
        var validationStartMre = GlobalErrors(_validation, [.. validationStarts.Select(s => s.PositionsMm)]).Select(e => Mean(e.Select(v => v.Length))).ToArray();
        if (_shape is not null)
            _options.Log?.Invoke($"shape model: {_train.Count} cases, poses up to {_shape.PoseSpreadDegrees:0} degrees apart, residual {Mean(_shape.ResidualMm):0.000} mm; " +
                $"start of the local stage on the training cases {Mean(startErrors.SelectMany(e => e).Select(e => e.Length)):0.000} mm (global alone {Mean(trainErrors):0.000})" +
                (_validation.Count > 0 ? $", on the validation cases {Mean(validationStartMre):0.000} mm (global alone {Mean(validationErrors):0.000})" : ""));
        Matrix3?[] poses = [.. trainStarts.Select((s, n) => s.PoseRotation ?? _poses[n])];
        return new LocalPreparation(stages, startErrors, poses, validationStarts, validationStartMre, trainErrors);
    }

    private static bool[] AllTrue(int count) => [.. Enumerable.Repeat(true, count)];

    private int TrainLocal(TorchModel model, TorchModel best, TorchModel average, LocalPreparation local, int start, int globalIterations, int iterations)
    {
        var cfg = _config.Local;
        var optimizer = optim.Adam(model.Local.parameters(), lr: cfg.LearningRate, amsgrad: true);
        if (start > 0) _store.RestoreOptimizer(optimizer, TrainingStage.Local, start);
        var batches = new LocalBatches(_config, _train, local.StartErrors, local.Poses, _options.Seed);
        double bestMre = _record.BestLocalMreMm ?? double.PositiveInfinity;
        var averager = new WeightAverage(model.Local, average.Local, _config.WeightAverageShare);
        iterations = RunStage(TrainingStage.Local, model.Local, optimizer, averager, batches.Make, cfg.LearningRate, cfg.Alpha, start, iterations, 1 - TimeBudget.ClosingShare,
            validate: iteration =>
            {
                // Checkpoints are compared on one pass, the network's own accuracy (a sixth of the crops of two).
                double? mre = _validation.Count > 0 ? Mean(ValidationErrors(LocalValidationEstimates(average.WithMetadata(Metadata(local.Stages)), local, 1)).Select(Mean)) : null;
                if (mre is null || mre < bestMre)
                {
                    CopyWeights(average.Local, best.Local);
                    if (mre is double value) bestMre = value;
                    _record = _record with { BestLocalIteration = iteration, BestLocalMreMm = mre };
                    _store.SaveBest(best, Metadata(local.Stages));
                }
                if (mre is not null) _options.Log?.Invoke($"local iteration {iteration}: validation MRE {mre:0.000} mm (best {bestMre:0.000}, start {Mean(local.ValidationStartMre):0.000})");
            },
            checkpoint: (iteration, total) => _store.Save(model, average, Metadata(local.Stages), optimizer, new CheckpointState(TrainingStage.Local, iteration, globalIterations, total)));
        _record = _record with { LocalIterations = iterations };
        return iterations;
    }

    /// <summary>
    /// The loop both stages share: iteration counts refitted to a time budget, the learning rate on its cosine, one
    /// optimisation step per iteration folded into the weights' average, validation and checkpoints at their intervals
    /// and at the end.
    /// </summary>
    /// <param name="stageEndShare">Share of a time budget at which the stage ends.</param>
    private int RunStage(TrainingStage stage, nn.Module<Tensor, PatchPrediction> network, optim.Optimizer optimizer, WeightAverage average, Func<int, Batch> batches,
        double learningRate, double alpha, int start, int iterations, double stageEndShare, Action<int> validate, Action<int, int> checkpoint)
    {
        string name = stage.ToString().ToLowerInvariant();
        string category = stage == TrainingStage.Global ? TrainingTimes.Global : TrainingTimes.Local;
        var stageClock = Stopwatch.StartNew();
        for (int iteration = start; iteration < iterations; iteration++)
        {
            if (_budget is not null && iteration > start && (iteration - start) % BudgetFitEvery == 0)
            {
                int fitted = _budget.Fit(iteration, start, stageClock, stageEndShare);
                if (iteration == start + BudgetFitEvery || Math.Abs(fitted - iterations) > iterations / 10)
                    _options.Log?.Invoke($"time budget {_budget.Total.TotalMinutes:0} min: {name} stage set to {fitted} iterations");
                iterations = fitted;
            }
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate = learningRate * (LearningRateFloor + (1 - LearningRateFloor) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, iteration / (double)Math.Max(1, iterations)))));
            using (var scope = NewDisposeScope())
            {
                var batch = _times.Measure(TrainingTimes.Batches, () => batches(iteration));
                var loss = _times.Measure(category, () => Step(network, optimizer, batch, alpha));
                Report(name, iteration + 1, iterations, loss, stageClock, start);
            }
            _times.Measure(category, () => average.Update(iteration, iterations));
            bool last = iteration + 1 == iterations;
            if ((iteration + 1) % _config.ValidateEvery == 0 || last) _times.Measure(TrainingTimes.Validation, () => validate(iteration + 1));
            if ((iteration + 1) % _config.CheckpointEvery == 0 || last) _times.Measure(TrainingTimes.Checkpoints, () => checkpoint(iteration + 1, iterations));
        }
        _options.Log?.Invoke($"{name} stage done: {iterations} iterations in {stageClock.Elapsed.TotalMinutes:0.0} min");
        return iterations;
    }

    /// <summary>One optimisation step on a batch, with the garbage collector held off while TorchSharp runs.</summary>
    private (double Total, double Regression, double Classification) Step(nn.Module<Tensor, PatchPrediction> network, optim.Optimizer optimizer, Batch batch, double alpha)
    {
        using var noCollection = NoCollectionSection.Enter();
        network.train();
        optimizer.zero_grad();
        var prediction = network.forward(batch.Input.to(_options.Device));
        var loss = PatchLoss.Compute(prediction, batch.Targets.To(_options.Device), alpha);
        loss.Total.backward();
        optimizer.step();
        return (loss.TotalValue, loss.Regression, loss.Classification);
    }

    /// <summary>The global stage's estimates (world mm) on the given cases: [case][landmark].</summary>
    private WorldMm[][] GlobalEstimatesMm(TorchModel model, IReadOnlyList<TrainingCase> cases)
    {
        var localizer = new Localizer(model.ToInference(_options.Device));
        return [.. cases.Select(c => localizer.GlobalStage(c.Global).PositionsMm)];
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

    /// <summary>The local stage's estimates on the validation cases, refining every landmark from its validation start in
    /// <paramref name="passes"/> passes: [case][landmark].</summary>
    private WorldMm[][] LocalValidationEstimates(TorchModel model, LocalPreparation local, int passes)
    {
        var localizer = new Localizer(model.ToInference(_options.Device));
        return [.. _validation.Select((c, v) => localizer.Refine(c.Local, local.ValidationStarts[v].PositionsMm, local.ValidationStarts[v].PoseRotation, passes))];
    }

    /// <summary>Per landmark, the distances (mm) of estimates ([case][landmark]) from the validation cases' references.</summary>
    private List<double>[] ValidationErrors(WorldMm[][] estimatesMm)
    {
        var errors = _names.Select(_ => new List<double>()).ToArray();
        for (int v = 0; v < _validation.Count; v++)
            for (int l = 0; l < _names.Count; l++)
                if (_validation[v].LandmarksMm[l] is WorldMm truth) errors[l].Add(estimatesMm[v][l].DistanceTo(truth));
        return errors;
    }

    /// <summary>Per landmark on the validation cases: mean error and share within 2 mm of the stage the model uses.</summary>
    private sealed record ValidationRow(string Name, double MreMm, double WithinTwoMm, bool UseLocal);

    /// <summary>What training chose on the validation cases for the model to do.</summary>
    private sealed record StageChoice(LandmarkStage[] Stages, int LocalPasses, bool ShapeBlend, ValidationRow[] Rows);

    /// <summary>The local stage's passes: the second (shifted crops around the first estimate) only where it lowered the
    /// validation error; without validation cases, both. Then per landmark, the local stage stays on unless it did worse
    /// than its start on the validation cases. Last, the final estimates are weighed against the shape model fitted to
    /// them where that lowers the validation error (<see cref="Localizer.BlendWithShape"/>).</summary>
    private StageChoice ChooseStages(TorchModel best, LocalPreparation local)
    {
        if (_validation.Count == 0)
        {
            _record = _record with { Landmarks = [.. local.TrainGlobalMre.Select(e => new LandmarkRecord(e, null, null))] };
            return new StageChoice(local.Stages, 2, false, []);
        }
        var candidate = best.WithMetadata(Metadata(local.Stages));
        var onePass = LocalValidationEstimates(candidate, local, 1);
        var twoPasses = LocalValidationEstimates(candidate, local, 2);
        double oneMre = Mean(ValidationErrors(onePass).SelectMany(e => e)), twoMre = Mean(ValidationErrors(twoPasses).SelectMany(e => e));
        int passes = twoMre < oneMre ? 2 : 1;
        var localEstimates = passes == 2 ? twoPasses : onePass;
        var localErrors = ValidationErrors(localEstimates);
        _options.Log?.Invoke($"local stage: {(passes == 2 ? "two passes" : "one pass")} (validation MRE {oneMre:0.000} mm after one, {twoMre:0.000} after the shifted second)");
        var startErrors = ValidationErrors([.. local.ValidationStarts.Select(s => s.PositionsMm)]);
        var stages = local.Stages.Select((s, l) =>
        {
            bool useLocal = !(Mean(localErrors[l]) > Mean(startErrors[l]));
            double finalError = Mean(useLocal ? localErrors[l] : startErrors[l]);
            return s with { UseLocal = useLocal, FinalErrorMm = double.IsFinite(finalError) ? finalError : null };
        }).ToArray();
        var final = _validation.Select((c, v) => Enumerable.Range(0, _names.Count)
            .Select(l => stages[l].UseLocal ? localEstimates[v][l] : local.ValidationStarts[v].PositionsMm[l]).ToArray()).ToArray();
        var (blend, finalErrors) = ChooseShapeBlend(best, stages, final);
        var rows = new ValidationRow[_names.Count];
        for (int l = 0; l < _names.Count; l++)
        {
            var used = finalErrors[l];
            rows[l] = new ValidationRow(_names[l], Mean(used), used.Count == 0 ? double.NaN : used.Count(e => e <= 2) / (double)used.Count, stages[l].UseLocal);
        }
        _record = _record with
        {
            // What the model will do on the validation cases: per landmark, the stage it uses, then the shape blend if chosen.
            ValidationMreMm = Mean(rows.Select(r => r.MreMm)),
            Landmarks = [.. Enumerable.Range(0, _names.Count).Select(l => new LandmarkRecord(local.TrainGlobalMre[l], Mean(startErrors[l]), Mean(localErrors[l])))],
        };
        var disabled = rows.Where(r => !r.UseLocal).Select(r => r.Name).ToList();
        if (disabled.Count > 0) _options.Log?.Invoke($"local stage not used where it did not beat its start on validation: {string.Join(", ", disabled)}");
        return new StageChoice(stages, passes, blend, rows);
    }

    /// <summary>Whether weighing the final estimates against the shape model lowers the validation error, and the
    /// per-landmark validation errors of what was chosen.</summary>
    private (bool Blend, List<double>[] Errors) ChooseShapeBlend(TorchModel best, LandmarkStage[] stages, WorldMm[][] finalMm)
    {
        var unblended = ValidationErrors(finalMm);
        if (_shape is null) return (false, unblended);
        var localizer = new Localizer(best.WithMetadata(Metadata(stages) with { ShapeBlend = true }).ToInference(_options.Device));
        var blended = ValidationErrors([.. finalMm.Select(f => localizer.BlendWithShape(f, AllTrue(_names.Count)))]);
        double without = Mean(unblended.SelectMany(e => e)), with = Mean(blended.SelectMany(e => e));
        bool blend = with < without;
        _options.Log?.Invoke($"shape blend {(blend ? "on" : "off")}: validation MRE {without:0.000} mm without, {with:0.000} with the final estimates weighed against the shape model");
        return (blend, blend ? blended : unblended);
    }

    /// <summary>The presence threshold: none when the configuration fixes it; 0 (no landmark called absent) when the data
    /// shows every landmark in every case; else calibrated on the validation cases, whole and halved
    /// (<see cref="PresenceCalibration"/>), or <see cref="LocalizerConfig.DefaultPresenceThreshold"/> without them.</summary>
    private (double? Threshold, PresenceCalibrationResult? Calibration) ChoosePresenceThreshold(TorchModel best)
    {
        if (_config.PresenceThreshold is not null) return (null, null);
        // Scans that show every landmark teach nothing about absence: a threshold would only call landmarks of unusual
        // scans absent (on ISBI 121-150, 8 landmarks of one cephalogram at 0.1, all in view). The confidence still
        // says how sure the model is; the data asks for absence calls by marking landmarks absent.
        if (!_train.Concat(_validation).Any(c => c.LandmarksMm.Any(p => p is null)))
        {
            _options.Log?.Invoke("presence threshold: 0 (every landmark is in view in every case: the model has seen no absent one and " +
                "calls none absent; its confidence is still reported)");
            return (0, null);
        }
        var result = _validation.Count > 0 ? PresenceCalibration.Calibrate(new Localizer(best.ToInference(_options.Device)), [.. _validation.Select(c => c.ForCalibration)]) : null;
        if (result is null)
        {
            _options.Log?.Invoke($"presence threshold: {LocalizerConfig.DefaultPresenceThreshold} (no validation cases to calibrate it on)");
            return (LocalizerConfig.DefaultPresenceThreshold, null);
        }
        _options.Log?.Invoke($"presence threshold {result.Threshold:0.###}, calibrated on the validation cases whole and halved: " +
            $"{result.FalselyAbsent} of {result.Present} landmarks in view called absent, {result.FalselyPresent} of {result.Absent} out of view called present");
        return (result.Threshold, result);
    }

    /// <summary>The end of the log: per landmark how the validation cases came out and which stage is used, then where
    /// the minutes went.</summary>
    private void LogStory(ValidationRow[] rows)
    {
        if (_options.Log is null) return;
        if (rows.Length > 0)
        {
            _options.Log($"validation ({_validation.Count} cases), per landmark: MRE, share within 2 mm, stage used");
            for (int l = 0; l < rows.Length; l++)
                _options.Log($"  {l + 1,3} {rows[l].Name,-28} {rows[l].MreMm,7:0.000} mm {100 * rows[l].WithinTwoMm,6:0.0}%  {(rows[l].UseLocal ? "local" : "global")}");
            _options.Log($"validation MRE {_record.ValidationMreMm:0.000} mm, {100 * Mean(rows.Select(r => r.WithinTwoMm)):0.0}% within 2 mm " +
                $"(global stage alone {_record.BestGlobalMreMm:0.000} mm)");
        }
        _options.Log(_times.Describe());
    }

    private void Report(string stage, int iteration, int iterations, (double Total, double Regression, double Classification) loss, Stopwatch stageClock, int start)
    {
        if (_options.Progress is null || (iteration % 10 != 0 && iteration != iterations)) return;
        double rate = (iteration - start) / Math.Max(1e-9, stageClock.Elapsed.TotalSeconds);
        var remaining = TimeSpan.FromSeconds((iterations - iteration) / Math.Max(rate, 1e-9));
        _options.Progress(new TrainingProgress(stage, iteration, iterations, loss.Total, loss.Regression, loss.Classification, rate, remaining));
    }

    private static double Mean(IEnumerable<double> values)
    {
        var list = values.Where(double.IsFinite).ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    private static void CopyWeights(nn.Module from, nn.Module to)
    {
        using var noGrad = no_grad();
        var source = from.state_dict();
        foreach (var (name, value) in to.state_dict()) value.copy_(source[name]);
    }
}
