using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Learning.Training;

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
}
