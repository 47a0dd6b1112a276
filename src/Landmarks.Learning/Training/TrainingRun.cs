using System.Collections.Concurrent;
using System.Security.Cryptography;
using Landmarks.Imaging.Datasets;
using Landmarks.Learning.Data;
using Landmarks.Learning.Model;

namespace Landmarks.Learning.Training;

/// <summary>From manifests to a trained model file: configuration, validation split, loading, training.</summary>
public static class TrainingRun
{
    /// <summary>Share of the cases held out for validation when no validation manifest is given.</summary>
    public const double ValidationShare = 0.15;

    /// <summary>Defaults derived from the median spacing and extent of (up to 20 of) the dataset's images.</summary>
    public static LocalizerConfig DeriveConfig(DatasetManifest manifest, int? globalGridVoxels = null)
    {
        var sample = manifest.Cases.Take(20).Select(c => manifest.LoadCase(c).Image.Geometry).ToList();
        int dimension = sample[0].Dimension;
        double Median(IEnumerable<double> values) { var v = values.Order().ToArray(); return v[v.Length / 2]; }
        double native = Median(sample.Select(g => dimension == 2 ? Math.Min(g.SpacingMm.X, g.SpacingMm.Y) : Math.Min(g.SpacingMm.X, Math.Min(g.SpacingMm.Y, g.SpacingMm.Z))));
        double[] extent = [.. Enumerable.Range(0, dimension).Select(axis => Median(sample.Select(g => g.ExtentMm[axis])))];
        return LocalizerConfig.Derive(dimension, native, extent, globalGridVoxels);
    }

    /// <summary>A fixed, seeded share of the cases for validation; the rest for training.</summary>
    public static (List<DatasetCase> Train, List<DatasetCase> Validation) Split(DatasetManifest manifest, int seed)
    {
        var shuffled = manifest.Cases.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        var rng = new Random(seed);
        for (int n = shuffled.Count - 1; n > 0; n--) { int k = rng.Next(n + 1); (shuffled[n], shuffled[k]) = (shuffled[k], shuffled[n]); }
        int held = shuffled.Count < 4 ? 0 : Math.Max(1, (int)Math.Round(shuffled.Count * ValidationShare));
        return (shuffled.Skip(held).ToList(), shuffled.Take(held).OrderBy(c => c.Id, StringComparer.Ordinal).ToList());
    }

    public static List<TrainingCase> Load(DatasetManifest manifest, IEnumerable<DatasetCase> cases, LocalizerConfig config)
    {
        var loaded = new ConcurrentDictionary<string, TrainingCase>();
        Parallel.ForEach(cases, c => loaded[c.Id] = TrainingCase.Load(manifest, c, config));
        return [.. loaded.Values.OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

    public static string Sha256Of(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    /// <summary>Trains and writes the model to <paramref name="modelPath"/>; checkpoints beside it.</summary>
    public static LocalizerModel Train(string manifestPath, string? validationPath, string modelPath, LocalizerConfig? config, TrainerOptions options)
    {
        var manifest = DatasetManifest.Load(manifestPath);
        config ??= DeriveConfig(manifest);
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
        options.Log?.Invoke($"configuration: global {config.Global.SpacingMm:0.###} mm, crop {string.Join("x", config.Global.CropSize)}, stride {config.Global.Shape.OutputStride}; " +
            $"local {config.Local.SpacingMm:0.###} mm, crop {config.Local.CropSize}; {manifest.LandmarkNames.Count} landmarks");
        var train = Load(manifest, trainCases, config);
        var validation = Load(validationManifest, validationCases, config);
        options.Log?.Invoke($"loaded {train.Count} training and {validation.Count} validation cases");
        var trainer = new LocalizerTrainer(config, manifest.LandmarkNames, train, validation, options, Sha256Of(manifestPath));
        var model = trainer.Run();
        model.Save(modelPath);
        foreach (string file in LocalizerTrainer.CheckpointFiles(options.CheckpointPath)) File.Delete(file);
        return model;
    }
}
