using System.Text.Json;
using System.Text.Json.Serialization;
using Landmarks.Imaging.IO;
namespace Landmarks.Inference.Model;

/// <summary>Architecture of the global network: channels and residual blocks per stage. Every
/// stage after the first halves the resolution, so the output stride is 2^(stages-1).</summary>
public sealed record GlobalNetworkShape(int[] Channels, int[] Blocks)
{
    public int OutputStride => 1 << (Channels.Length - 1);
}

/// <summary>Settings of the global stage.</summary>
/// <param name="SpacingMm">Isotropic spacing of the stage grid.</param>
/// <param name="CropSize">Training crop in voxels (x, y[, z]); multiples of the output stride.</param>
/// <param name="RotationDegrees">Largest rotation of a training crop away from the case's pose (its crops are turned to the
/// shape model's frame first): half the dataset's spread of poses (<see cref="Landmarks.Inference.Shape.ShapeModel.PoseSpreadDegrees"/>), so
/// that a new scan in any of those poses looks familiar; with <paramref name="PoseSearch"/>, the candidates' covering angle.</param>
/// <param name="PoseSearch">Try every orientation of <see cref="Landmarks.Inference.Shape.Orientations"/> on a new image and keep the one whose
/// estimates the shape model fits best: for datasets whose poses differ by more than one input can be trained to cover.</param>
public sealed record GlobalStageConfig(
    double SpacingMm,
    int[] CropSize,
    int[] Channels,
    int[] Blocks,
    int BatchSize,
    double Alpha,
    int TopCells,
    double LearningRate,
    int Iterations,
    double RotationDegrees,
    bool PoseSearch)
{
    [JsonIgnore] public GlobalNetworkShape Shape => new(Channels, Blocks);
}

/// <summary>Settings of the local stage: one network with a head per landmark, on a fine crop around each estimate,
/// turned to the pose the landmarks give.</summary>
/// <param name="OffsetScale">Training crops are offset from the landmark by the errors of the stage's starting estimates on
/// the training cases, times this (errors on new images are larger), plus <paramref name="OffsetJitterMm"/>.</param>
/// <param name="RotationDegrees">Largest rotation of a training crop away from the pose fitted to the case's start (the pose
/// inference turns its crops to): the fits to new images differ from those to training cases.</param>
public sealed record LocalStageConfig(
    double SpacingMm,
    int CropSize,
    int[] Channels,
    int BatchSize,
    double Alpha,
    int TopCells,
    double LearningRate,
    int Iterations,
    double OffsetScale,
    double OffsetJitterMm,
    double RotationDegrees)
{
    /// <summary>Input voxels per output cell of the local network (one 2x2 pooling).</summary>
    public const int OutputStride = 2;
}

/// <summary>Random affine (in world space) and intensity changes applied to training crops of both stages.</summary>
/// <param name="PartialViewShare">Share of the global stage's training crops blanked outside a random box of at least
/// <paramref name="PartialViewMinimumFraction"/> of each axis (the trainer's partial views), so that the
/// network learns to call landmarks out of sight absent. 0, the default, turns it off.</param>
public sealed record AugmentationConfig(
    double ScaleRange,
    double Shear,
    double TranslationFraction,
    double ContrastRange,
    double GammaRange,
    double NoiseStd,
    double PartialViewShare = 0,
    double PartialViewMinimumFraction = 0.5);

/// <summary>
/// Everything that decides a training run, as data. <see cref="Derive"/> picks defaults from the
/// dataset (nnU-Net's idea): stage spacings from the image extent and native spacing, crop sizes
/// from the grid, rotation from the spread of poses, network sizes and loss weights per dimension.
/// </summary>
/// <param name="PresenceThreshold">Presence below which a landmark is called absent. Null, the default: calibrated on the
/// validation cases at the end of training (<see cref="PresenceCalibration"/>) when the data marks some landmarks absent
/// (<see cref="DefaultPresenceThreshold"/> without validation cases), 0 when it shows every landmark in every case; the
/// trained model holds the number.</param>
/// <param name="WeightAverageShare">Validation and the model use a running average of each network's weights over about
/// this share of its stage's iterations (an exponential moving average); 0, in configurations written before it
/// existed, uses the latest weights.</param>
public sealed record LocalizerConfig(
    int Dimension,
    GlobalStageConfig Global,
    LocalStageConfig Local,
    AugmentationConfig Augmentation,
    double? PresenceThreshold,
    int ValidateEvery,
    int CheckpointEvery,
    double WeightAverageShare = 0)
{
    /// <summary>The threshold of a model trained on data with absent landmarks but no validation cases to calibrate it on,
    /// and of models that hold none.</summary>
    public const double DefaultPresenceThreshold = 0.1;

    /// <summary>Rotation of training crops when the dataset's poses differ less than this (and of local crops about the pose).</summary>
    public const double MinimumRotationDegrees = 10;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A misspelt field must not be ignored silently: it would train with a default the user did not choose.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates a configuration; <paramref name="source"/> names it in errors.</summary>
    public static LocalizerConfig FromJson(string json, string source)
    {
        LocalizerConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<LocalizerConfig>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(source, $"not a valid configuration: {e.Message}", e);
        }
        if (config is null) throw new InvalidFileException(source, "not a valid configuration: empty");
        var problem = config.Problems().FirstOrDefault();
        if (problem is not null) throw new InvalidFileException(source, problem);
        return config;
    }

    /// <summary>What is wrong with this configuration, one sentence per field (nothing when it can be trained); the sizes
    /// are weighed once every field is valid on its own.</summary>
    public IEnumerable<string> Problems()
    {
        bool any = false;
        foreach (var problem in FieldProblems())
        {
            any = true;
            yield return problem;
        }
        if (any) yield break;
        foreach (var problem in SizeProblems()) yield return problem;
    }

    private IEnumerable<string> FieldProblems()
    {
        if (Dimension is not (2 or 3)) { yield return $"dimension must be 2 or 3, got {Dimension}"; yield break; }
        if (Global is null || Local is null || Augmentation is null) { yield return "global, local and augmentation sections are all needed"; yield break; }
        static bool Positive(double v) => double.IsFinite(v) && v > 0;
        static bool Share(double v) => double.IsFinite(v) && v >= 0 && v < 1;
        static bool Degrees(double v) => double.IsFinite(v) && v >= 0 && v <= 180;
        if (!Positive(Global.SpacingMm)) yield return $"global.spacingMm must be a positive number of mm, got {Global.SpacingMm}";
        if (Global.Channels is not { Length: >= 2 and <= MaximumGlobalStages } || Global.Channels.Any(c => c < 1))
            yield return $"global.channels needs 2 to {MaximumGlobalStages} positive widths";
        else if (Global.Blocks is null || Global.Blocks.Length != Global.Channels.Length || Global.Blocks.Any(b => b < 1))
            yield return $"global.blocks needs {Global.Channels.Length} positive counts, one per entry of global.channels";
        else
        {
            int stride = Global.Shape.OutputStride;
            if (Global.CropSize is null || Global.CropSize.Length != Dimension || Global.CropSize.Any(n => n < stride || n % stride != 0))
                yield return $"global.cropSize needs {Dimension} sizes, each a positive multiple of the output stride {stride}";
        }
        if (Global.BatchSize < 1) yield return $"global.batchSize must be at least 1, got {Global.BatchSize}";
        if (!(Global.Alpha >= 0)) yield return $"global.alpha must be 0 or more, got {Global.Alpha}";
        if (Global.TopCells < 0) yield return $"global.topCells must be 0 (all cells) or more, got {Global.TopCells}";
        if (!Positive(Global.LearningRate)) yield return $"global.learningRate must be positive, got {Global.LearningRate}";
        if (Global.Iterations < 1) yield return $"global.iterations must be at least 1, got {Global.Iterations}";
        if (!Degrees(Global.RotationDegrees)) yield return $"global.rotationDegrees must be between 0 and 180, got {Global.RotationDegrees}";
        if (!Positive(Local.SpacingMm)) yield return $"local.spacingMm must be a positive number of mm, got {Local.SpacingMm}";
        if (Local.CropSize < LocalStageConfig.OutputStride || Local.CropSize % LocalStageConfig.OutputStride != 0)
            yield return $"local.cropSize must be a positive multiple of {LocalStageConfig.OutputStride}, got {Local.CropSize}";
        if (Local.Channels is not { Length: 2 } || Local.Channels.Any(c => c < 1)) yield return "local.channels needs 2 positive widths";
        if (Local.BatchSize < 1) yield return $"local.batchSize must be at least 1, got {Local.BatchSize}";
        if (!(Local.Alpha >= 0)) yield return $"local.alpha must be 0 or more, got {Local.Alpha}";
        if (Local.TopCells < 0) yield return $"local.topCells must be 0 (all cells) or more, got {Local.TopCells}";
        if (!Positive(Local.LearningRate)) yield return $"local.learningRate must be positive, got {Local.LearningRate}";
        if (Local.Iterations < 1) yield return $"local.iterations must be at least 1, got {Local.Iterations}";
        if (!(Local.OffsetScale >= 0) || !double.IsFinite(Local.OffsetScale)) yield return $"local.offsetScale must be 0 or more, got {Local.OffsetScale}";
        if (!(Local.OffsetJitterMm >= 0) || !double.IsFinite(Local.OffsetJitterMm)) yield return $"local.offsetJitterMm must be 0 or more, got {Local.OffsetJitterMm}";
        if (!Degrees(Local.RotationDegrees)) yield return $"local.rotationDegrees must be between 0 and 180, got {Local.RotationDegrees}";
        if (!Share(Augmentation.ScaleRange)) yield return $"augmentation.scaleRange must be in [0, 1), got {Augmentation.ScaleRange}";
        if (!Share(Augmentation.Shear)) yield return $"augmentation.shear must be in [0, 1), got {Augmentation.Shear}";
        if (!Share(Augmentation.TranslationFraction)) yield return $"augmentation.translationFraction must be in [0, 1), got {Augmentation.TranslationFraction}";
        if (!Share(Augmentation.ContrastRange)) yield return $"augmentation.contrastRange must be in [0, 1), got {Augmentation.ContrastRange}";
        if (!(Augmentation.GammaRange >= 0 && Augmentation.GammaRange <= 2)) yield return $"augmentation.gammaRange must be in [0, 2], got {Augmentation.GammaRange}";
        if (!(Augmentation.NoiseStd >= 0 && Augmentation.NoiseStd <= 1)) yield return $"augmentation.noiseStd must be in [0, 1], got {Augmentation.NoiseStd}";
        if (!(Augmentation.PartialViewShare >= 0 && Augmentation.PartialViewShare <= 1)) yield return $"augmentation.partialViewShare must be in [0, 1], got {Augmentation.PartialViewShare}";
        if (!(Augmentation.PartialViewMinimumFraction > 0 && Augmentation.PartialViewMinimumFraction <= 1))
            yield return $"augmentation.partialViewMinimumFraction must be in (0, 1], got {Augmentation.PartialViewMinimumFraction}";
        if (PresenceThreshold is double t && !(t >= 0 && double.IsFinite(t)))
            yield return $"presenceThreshold must be 0 or more (0: every landmark present, above 1: every one absent) or null to calibrate it, got {t}";
        if (ValidateEvery < 1) yield return $"validateEvery must be at least 1, got {ValidateEvery}";
        if (CheckpointEvery < 1) yield return $"checkpointEvery must be at least 1, got {CheckpointEvery}";
        if (!(WeightAverageShare >= 0 && WeightAverageShare <= 1)) yield return $"weightAverageShare must be in [0, 1], got {WeightAverageShare}";
    }

    /// <summary>Stages of the global network at most: an output stride of 128.</summary>
    public const int MaximumGlobalStages = 8;

    /// <summary>Convolution weights one network may have (256 MB of floats; the derived networks have 0.1-1.3 million).
    /// A configuration or a model file that asks for more is refused before anything is allocated.</summary>
    public const double MaximumNetworkWeights = 64e6;

    /// <summary>Values of the first layer's output for one training batch (1 GB of floats; the derived configurations
    /// need 2-8 million): crop voxels times batch size times the first width.</summary>
    public const double MaximumBatchActivations = 1 << 28;

    /// <summary>Sizes that would take more memory than any machine this runs on has, of a configuration whose fields are
    /// valid: in floating point, so that no product overflows.</summary>
    private IEnumerable<string> SizeProblems()
    {
        double kernel = Math.Pow(3, Dimension);
        double global = Global.Channels[0] * kernel, input = Global.Channels[0];
        for (int stage = 0; stage < Global.Channels.Length; stage++)
            for (int block = 0; block < Global.Blocks[stage]; block++)
            {
                double output = Global.Channels[stage];
                global += (input * output + output * output) * kernel + (input != output || block == 0 && stage > 0 ? input * output : 0);
                input = output;
            }
        if (global > MaximumNetworkWeights)
            yield return $"global.channels and global.blocks make a network of {global / 1e6:0.#} million weights; at most {MaximumNetworkWeights / 1e6:0} million";
        double fine = Local.Channels[0], coarse = Local.Channels[1];
        double local = (fine + 3 * fine * fine + fine * coarse + 3 * coarse * coarse) * kernel;
        if (local > MaximumNetworkWeights)
            yield return $"local.channels make a network of {local / 1e6:0.#} million weights; at most {MaximumNetworkWeights / 1e6:0} million";
        double globalBatch = Global.CropSize.Aggregate(1.0, (a, n) => a * n) * Global.BatchSize * Global.Channels[0];
        if (globalBatch > MaximumBatchActivations)
            yield return $"global.cropSize, global.batchSize and the first of global.channels make {globalBatch:0.#e0} values per batch; at most {MaximumBatchActivations:0.#e0}";
        double localBatch = Math.Pow(Local.CropSize, Dimension) * Local.BatchSize * fine;
        if (localBatch > MaximumBatchActivations)
            yield return $"local.cropSize, local.batchSize and the first of local.channels make {localBatch:0.#e0} values per batch; at most {MaximumBatchActivations:0.#e0}";
    }

    /// <param name="nativeSpacingMm">Median finest spacing of the dataset's images.</param>
    /// <param name="extentMm">Median physical extent of the images along each axis (x, y[, z]).</param>
    /// <param name="poseSpreadDegrees">Largest rotation between two training cases' poses (<see cref="Landmarks.Inference.Shape.ShapeModel"/>).</param>
    /// <param name="globalGridVoxels">Voxels of the global grid along the image's longest axis (default 300 in 2D, 56 in 3D).</param>
    /// <remarks>Iteration counts are what a budget gave on 2 cores (docs/BENCHMARKS.md): in 2D 12000 global on the ISBI 2015
    /// cephalograms; in 3D 1800 global and 6000 local, about 30 minutes in all on the mouse-skull atlas (the global grid
    /// and the crops have the same size whatever the scans, so the time per iteration hardly depends on them);
    /// <c>train --time-budget</c> refits them to the time given.</remarks>
    public static LocalizerConfig Derive(int dimension, double nativeSpacingMm, double[] extentMm, double poseSpreadDegrees = 0, int? globalGridVoxels = null)
    {
        // The global stage sees the whole image on a coarse grid; finer grids cost time on every iteration.
        int longest = globalGridVoxels ?? (dimension == 2 ? 300 : 56);
        double globalSpacing = Math.Max(nativeSpacingMm, extentMm.Max() / longest);
        // Output stride 8 on grids of 48 voxels and more, else 4, so that there are enough patches to vote.
        bool fine = longest >= 48;
        var shape = dimension == 2
            ? new GlobalNetworkShape(fine ? [16, 32, 64, 128] : [16, 32, 64], fine ? [1, 2, 2, 2] : [1, 2, 2])
            : new GlobalNetworkShape(fine ? [8, 16, 32, 64] : [8, 16, 32], fine ? [1, 1, 1, 1] : [1, 1, 1]);
        int stride = shape.OutputStride, cap = dimension == 2 ? 256 : 80;
        // Poses spread beyond what one training rotation learns well are searched at inference; training crops then
        // need to cover the candidates' gaps, and room for the anatomy in every direction: a cube of the longest extent.
        bool search = poseSpreadDegrees / 2 > 45;
        double rotation = search ? Math.Ceiling(Landmarks.Inference.Shape.Orientations.CoveringDegrees(dimension)) : Math.Max(MinimumRotationDegrees, poseSpreadDegrees / 2);
        double[] cropExtentMm = search ? [.. extentMm.Select(_ => extentMm.Max())] : extentMm;
        int[] crop = [.. cropExtentMm.Select(e => Math.Min(cap, (int)Math.Ceiling(e / globalSpacing / stride) * stride))];
        // The local stage works at 3/8 (2D) or half (3D) of the global spacing, never finer than the data: its crops
        // (48 px, 16 voxels) then span 18 or 8 global voxels, more than the usual errors of its start. In 2D, 48 px at 3/8
        // cost about half of 64 px at a quarter and see more; on ISBI they learnt faster per minute (docs/BENCHMARKS.md).
        double localSpacing = Math.Max(nativeSpacingMm, globalSpacing * (dimension == 2 ? 3.0 / 8 : 0.5));
        return new LocalizerConfig(dimension,
            new GlobalStageConfig(globalSpacing, crop, shape.Channels, shape.Blocks, dimension == 2 ? 4 : 2,
                Alpha: dimension == 2 ? 20 : 8, TopCells: dimension == 2 ? 9 : 27, LearningRate: 1e-3, Iterations: dimension == 2 ? 12000 : 1800, RotationDegrees: rotation, PoseSearch: search),
            new LocalStageConfig(localSpacing, dimension == 2 ? 48 : 16, dimension == 2 ? [32, 64] : [16, 32], BatchSize: dimension == 2 ? 32 : 16,
                Alpha: dimension == 2 ? 20 : 8, TopCells: dimension == 2 ? 4 : 8, LearningRate: 1e-3, Iterations: dimension == 2 ? 12000 : 6000,
                OffsetScale: 1.5, OffsetJitterMm: (dimension == 2 ? 2 : 1) * globalSpacing, RotationDegrees: MinimumRotationDegrees),
            new AugmentationConfig(ScaleRange: 0.1, Shear: 0.05, TranslationFraction: 0.1, ContrastRange: 0.2, GammaRange: 0.3, NoiseStd: 0.02),
            PresenceThreshold: null, ValidateEvery: 250, CheckpointEvery: 100);
    }
}
