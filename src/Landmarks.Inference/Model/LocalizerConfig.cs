using System.Text.Json;
using System.Text.Json.Serialization;
using Landmarks.Learning.Networks;

namespace Landmarks.Learning.Training;

/// <summary>Settings of the global stage.</summary>
public sealed record GlobalStageConfig(
    double SpacingMm,
    int[] CropSize,
    int[] Channels,
    int[] Blocks,
    int BatchSize,
    double Alpha,
    int TopCells,
    double LearningRate,
    int Iterations)
{
    [JsonIgnore] public GlobalNetworkShape Shape => new(Channels, Blocks);
}

/// <summary>Settings of the local stage (one network per landmark).</summary>
/// <param name="OffsetScale">Training crops are offset from the landmark by the global stage's errors on
/// the training cases, times this (errors on new images are larger), plus <paramref name="OffsetJitterMm"/>.</param>
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
    double OffsetJitterMm);

/// <summary>Random affine (in world space) and intensity changes applied to training crops.</summary>
/// <param name="PartialViewShare">Share of the global stage's training crops blanked outside a random box of at least
/// <paramref name="PartialViewMinimumFraction"/> of each axis (<see cref="Data.Augmentation.KeepPart"/>), so that the
/// network learns to call landmarks out of sight absent. 0, the default, turns it off.</param>
public sealed record AugmentationConfig(
    double RotationDegrees,
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
/// from the grid, network sizes and loss weights per dimension.
/// </summary>
/// <param name="PresenceThreshold">Presence below which a landmark is called absent. Null, the default: calibrated on the
/// validation cases at the end of training (<see cref="PresenceCalibration"/>); the trained model holds the number.</param>
public sealed record LocalizerConfig(
    int Dimension,
    GlobalStageConfig Global,
    LocalStageConfig Local,
    AugmentationConfig Augmentation,
    double? PresenceThreshold,
    int ValidateEvery,
    int CheckpointEvery)
{
    /// <summary>The threshold of a model trained without validation cases to calibrate it on.</summary>
    public const double DefaultPresenceThreshold = 0.1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static LocalizerConfig FromJson(string json) =>
        JsonSerializer.Deserialize<LocalizerConfig>(json, Json) ?? throw new JsonException("empty configuration");

    /// <param name="nativeSpacingMm">Median finest spacing of the dataset's images.</param>
    /// <param name="extentMm">Median physical extent of the images along each axis (x, y[, z]).</param>
    /// <param name="globalGridVoxels">Voxels of the global grid along the image's longest axis (default 300 in 2D, 80 in 3D).</param>
    /// <remarks>Iteration counts (12000 global, 2800 local) are what an 85-minute budget gave on the ISBI 2015
    /// cephalograms on 2 cores (docs/BENCHMARKS.md); <c>train --time-budget</c> refits them to the time given.</remarks>
    public static LocalizerConfig Derive(int dimension, double nativeSpacingMm, double[] extentMm, int? globalGridVoxels = null)
    {
        // The global stage sees the whole image on a coarse grid; finer grids cost time on every iteration.
        int longest = globalGridVoxels ?? (dimension == 2 ? 300 : 80);
        double globalSpacing = Math.Max(nativeSpacingMm, extentMm.Max() / longest);
        // Output stride 8 on grids of 64 voxels and more, else 4, so that there are enough patches to vote.
        bool fine = longest >= 64;
        var shape = dimension == 2
            ? new GlobalNetworkShape(fine ? [16, 32, 64, 128] : [16, 32, 64], fine ? [1, 2, 2, 2] : [1, 2, 2])
            : new GlobalNetworkShape(fine ? [8, 16, 32, 64] : [8, 16, 32], fine ? [1, 1, 1, 1] : [1, 1, 1]);
        int stride = shape.OutputStride, cap = dimension == 2 ? 256 : 80;
        int[] crop = [.. extentMm.Select(e => Math.Min(cap, (int)Math.Ceiling(e / globalSpacing / stride) * stride))];
        // The local stage works at a quarter (2D) or half (3D) of the global spacing, never finer than the data:
        // its crops (64 px, 16 voxels) then span 16 or 8 global voxels, more than the global stage's usual errors.
        double localSpacing = Math.Max(nativeSpacingMm, globalSpacing / (dimension == 2 ? 4 : 2));
        return new LocalizerConfig(dimension,
            new GlobalStageConfig(globalSpacing, crop, shape.Channels, shape.Blocks, dimension == 2 ? 4 : 2,
                Alpha: dimension == 2 ? 20 : 8, TopCells: dimension == 2 ? 9 : 27, LearningRate: 1e-3, Iterations: 12000),
            new LocalStageConfig(localSpacing, dimension == 2 ? 64 : 16, dimension == 2 ? [32, 64] : [16, 32], BatchSize: dimension == 2 ? 8 : 4,
                Alpha: dimension == 2 ? 20 : 8, TopCells: dimension == 2 ? 4 : 8, LearningRate: 1e-3, Iterations: 2800,
                OffsetScale: 1.5, OffsetJitterMm: (dimension == 2 ? 2 : 1) * globalSpacing),
            new AugmentationConfig(RotationDegrees: 10, ScaleRange: 0.1, Shear: 0.05, TranslationFraction: 0.1,
                ContrastRange: 0.2, GammaRange: 0.3, NoiseStd: 0.02),
            PresenceThreshold: null, ValidateEvery: 250, CheckpointEvery: 100);
    }
}
