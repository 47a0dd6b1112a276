using System.Collections.Concurrent;
using System.Security.Cryptography;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.IO;
using Landmarks.Learning.Data;
using Landmarks.Inference.Model;
using Landmarks.Learning.Model;
using Landmarks.Inference.Shape;

namespace Landmarks.Learning.Training;

/// <summary>From manifests to a trained model file: configuration, validation split, loading, training.</summary>
public static class TrainingRun
{
    /// <summary>Share of the cases held out for validation when no validation manifest is given.</summary>
    public const double ValidationShare = 0.15;

    /// <summary>Defaults derived from (up to 20 of) the dataset's cases: the median spacing and extent of the images,
    /// and the spread of poses of their landmarks.</summary>
    public static LocalizerConfig DeriveConfig(DatasetManifest manifest, int? globalGridVoxels = null)
    {
        // Only each image's grid and landmarks are kept: 20 clinical CTs at full resolution would take gigabytes.
        var sample = manifest.Cases.Take(20).Select(c => manifest.LoadCase(c)).Select(c => (c.Image.Geometry, c.Reference)).ToList();
        var geometries = sample.Select(c => c.Geometry).ToList();
        int dimension = geometries[0].Dimension;
        double Median(IEnumerable<double> values) { var v = values.Order().ToArray(); return v[v.Length / 2]; }
        double native = Median(geometries.Select(g => dimension == 2 ? Math.Min(g.SpacingMm.X, g.SpacingMm.Y) : Math.Min(g.SpacingMm.X, Math.Min(g.SpacingMm.Y, g.SpacingMm.Z))));
        double[] extent = [.. Enumerable.Range(0, dimension).Select(axis => Median(geometries.Select(g => g.ExtentMm[axis])))];
        double poseSpread = 0;
        if (manifest.LandmarkNames.Count > (dimension == 2 ? 2 : 3))
        {
            try { poseSpread = ShapeModel.Build(dimension, [.. sample.Select(c => c.Reference.Landmarks.Select(l => l.PositionMm).ToArray())]).PoseSpreadDegrees; }
            catch (ArgumentException) { }  // too few landmarks in every case to give a pose
        }
        return LocalizerConfig.Derive(dimension, native, extent, poseSpread, globalGridVoxels);
    }

    /// <summary>A fixed, seeded share of the cases for validation (as <c>dataset split --random</c> draws it); the rest
    /// for training. Fewer than 4 cases are all used for training.</summary>
    public static (List<DatasetCase> Train, List<DatasetCase> Validation) Split(DatasetManifest manifest, int seed)
    {
        if (manifest.Cases.Count < 4) return ([.. manifest.Cases], []);
        var split = DatasetSplits.Random(manifest, ValidationShare, seed);
        return ([.. split.Train.Cases], [.. split.Test.Cases]);
    }

    public static List<TrainingCase> Load(DatasetManifest manifest, IEnumerable<DatasetCase> cases, LocalizerConfig config)
    {
        var loaded = new ConcurrentDictionary<string, TrainingCase>();
        // One case per core: each holds its scan at full resolution while its stage images are made (a clinical CT takes
        // about 0.8 GB then), and the thread pool would otherwise add loads while decompression keeps the cores busy. Each
        // scan is collected as soon as its stage images exist, so the next one reuses its memory instead of adding to it
        // (left to the collector, 20 clinical CTs peaked at 6 GB).
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            loaded[c.Id] = TrainingCase.Load(manifest, c, config);
            GC.Collect();
        });
        return [.. loaded.Values.OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

    public static string Sha256Of(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    /// <summary>The model whose global stage a run takes (<see cref="TrainerOptions.GlobalStageFrom"/>), and the configuration
    /// with its global settings in place of <paramref name="config"/>'s. It must locate the same landmarks in images of the
    /// same dimension; <paramref name="manifestSha256"/> (<see cref="Sha256Of"/>) tells the log whether it was trained on the same manifest.</summary>
    public static (TorchModel Model, LocalizerConfig Config) TakeGlobalStage(string path, DatasetManifest manifest, string manifestSha256, LocalizerConfig config,
        Action<string>? log)
    {
        var source = TorchModel.Load(path);
        if (!source.LandmarkNames.SequenceEqual(manifest.LandmarkNames))
        {
            source.Dispose();
            throw new InvalidFileException(path, $"its global stage locates {source.LandmarkNames.Count} landmarks ({string.Join(", ", source.LandmarkNames.Take(4))}...), " +
                $"not the {manifest.LandmarkNames.Count} of {manifest.Name} ({string.Join(", ", manifest.LandmarkNames.Take(4))}...)");
        }
        if (source.Config.Dimension != config.Dimension)
        {
            source.Dispose();
            throw new InvalidFileException(path, $"its global stage is for {source.Config.Dimension}D images, the configuration for {config.Dimension}D");
        }
        log?.Invoke($"global stage taken from {path} ({source.Metadata.Training?.GlobalIterations ?? 0} iterations" +
            (source.Metadata.TrainingManifestSha256 == manifestSha256 ? ", the same training manifest" : ", trained on another manifest") + "): only the local stage trains");
        return (source, config with { Global = source.Config.Global });
    }

    /// <summary>Trains and writes the model to <paramref name="modelPath"/>; checkpoints beside it.</summary>
    public static TorchModel Train(string manifestPath, string? validationPath, string modelPath, LocalizerConfig? config, TrainerOptions options)
    {
        var manifest = DatasetManifest.Load(manifestPath);
        string manifestSha256 = Sha256Of(manifestPath);
        config ??= DeriveConfig(manifest);
        TorchModel? globalStage = null;
        if (options.GlobalStageFrom is string sourcePath) (globalStage, config) = TakeGlobalStage(sourcePath, manifest, manifestSha256, config, options.Log);
        using var disposeGlobalStage = globalStage;
        List<DatasetCase> trainCases, validationCases;
        DatasetManifest validationManifest = manifest;
        if (validationPath is not null)
        {
            validationManifest = DatasetManifest.Load(validationPath);
            (trainCases, validationCases) = ([.. manifest.Cases], [.. validationManifest.Cases]);
        }
        else
        {
            (trainCases, validationCases) = Split(manifest, options.Seed);
            options.Log?.Invoke($"validation: {validationCases.Count} cases held out (seed {options.Seed}): {string.Join(", ", validationCases.Select(c => c.Id))}");
        }
        options.Log?.Invoke($"configuration: global {config.Global.SpacingMm:0.###} mm, crop {string.Join("x", config.Global.CropSize)}, stride {config.Global.Shape.OutputStride}, " +
            $"rotation up to {config.Global.RotationDegrees:0} degrees; local {config.Local.SpacingMm:0.###} mm, crop {config.Local.CropSize}; {manifest.LandmarkNames.Count} landmarks");
        if (trainCases.Count == 0) throw new InvalidFileException(manifestPath, "no cases to train on");
        int dimension = manifest.LoadCase(trainCases[0]).Image.Dimension;
        if (dimension != config.Dimension)
            throw new InvalidFileException(manifestPath, $"its images are {dimension}D, but the configuration is for {config.Dimension}D images");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var train = Load(manifest, trainCases, config);
        var validation = Load(validationManifest, validationCases, config);
        var mixed = train.Concat(validation).FirstOrDefault(c => c.Global.Dimension != dimension);
        if (mixed is not null) throw new InvalidFileException(manifestPath, $"case {mixed.Id} is {mixed.Global.Dimension}D, the others {dimension}D");
        options.Log?.Invoke($"loaded {train.Count} training and {validation.Count} validation cases in {clock.Elapsed.TotalSeconds:0} s");
        // The scans read at full resolution are garbage now (gigabytes for clinical CT): give their memory back before
        // the hours of training rather than whenever the collector next looks.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var trainer = new LocalizerTrainer(config, manifest.LandmarkNames, train, validation, options, manifestSha256, globalStage);
        trainer.Times.Add(TrainingTimes.Loading, clock.Elapsed);
        var model = trainer.Run();
        model.Save(modelPath);
        new CheckpointStore(options.CheckpointPath, options.Log).Delete();
        return model;
    }
}
