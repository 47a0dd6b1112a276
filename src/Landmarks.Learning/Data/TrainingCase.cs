using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Inference;
using Landmarks.Inference.Model;
using Landmarks.Inference.Stages;

namespace Landmarks.Learning.Data;

/// <summary>A case ready for training: its two stage images and the reference landmarks (null when absent).</summary>
public sealed record TrainingCase(string Id, StageImage Global, StageImage Local, WorldMm?[] LandmarksMm)
{
    public static TrainingCase Load(DatasetManifest manifest, DatasetCase c, LocalizerConfig config)
    {
        var loaded = manifest.LoadCase(c);
        var (global, local) = StageImage.PrepareBoth(loaded.Image, config.Global.SpacingMm, config.Local.SpacingMm);
        return new TrainingCase(c.Id, global, local, [.. loaded.Reference.Landmarks.Select(l => l.PositionMm)]);
    }

    public CalibrationCase ForCalibration => new(Global, LandmarksMm);

    /// <summary>The centre of the landmarks present, or of the image when none is: training crops are turned about it.</summary>
    public WorldMm CentreMm
    {
        get
        {
            var present = LandmarksMm.Where(p => p is not null).Select(p => p!.Value.AsVector()).ToList();
            return present.Count > 0
                ? WorldMm.FromVector(present.Aggregate(Vec3.Zero, (a, p) => a + p) / present.Count)
                : Global.CentreMm;
        }
    }
}
