using Landmarks.Imaging.Datasets;
using Landmarks.Inference.Model;

namespace Landmarks.Learning.Training;

/// <summary>What <c>landmarks demo</c> trains on and how: synthetic phantoms with known landmarks (<see cref="Phantoms"/>),
/// and settings that train both stages on them in minutes on a laptop's CPU, to held-out errors below 1 pixel (2D) and
/// 1.5 voxels (3D); <c>bench/demos.sh</c> checks both.</summary>
public static class DemoTraining
{
    /// <summary>The phantoms written for a demo, and the path of the training manifest <see cref="TrainingRun.Train"/> reads.</summary>
    public sealed record Data(int Dimension, DatasetManifest Train, string TrainManifestPath, DatasetManifest Test);

    /// <summary>Writes training and held-out phantoms under <paramref name="folder"/> (<c>train/</c>, <c>test/</c>). 3D gets
    /// more of them: they cost little to make and to load, and its local stage needs them.</summary>
    public static Data WritePhantoms(string folder, int dimension, int seed)
    {
        string trainFolder = Path.Combine(folder, "train");
        var train = Phantoms.WriteDataset(trainFolder, "train", dimension, dimension == 3 ? 120 : 40, seed);
        var test = Phantoms.WriteDataset(Path.Combine(folder, "test"), "test", dimension, dimension == 3 ? 20 : 10, seed + 1000);
        return new Data(dimension, train, Phantoms.ManifestPath(trainFolder, "train"), test);
    }

    /// <summary>
    /// <c>train</c>'s derived configuration with the global stage at 2 mm (40 pixels across in 2D, 24 voxels in 3D) and
    /// the local one at the phantoms' spacing (in 2D finer than train's 3/8 of the global spacing). Most minutes go to the
    /// local stage, in many small steps (docs/BENCHMARKS.md, 2026-12-06): in 3D, on the same phantoms and minutes, 5500
    /// steps of 4 crops gave 1.45 mm held out, 3000 of 8 gave 1.93 mm. In 2D, crops of 32 pixels (16 mm, 13 times the
    /// start's error) instead of 64: 0.29 mm held out in 4.5 minutes, against 0.82 mm in 7.5 with 64.
    /// </summary>
    public static LocalizerConfig Config(Data demo)
    {
        bool is3D = demo.Dimension == 3;
        var config = TrainingRun.DeriveConfig(demo.Train, globalGridVoxels: is3D ? 24 : 40);
        return config with
        {
            Global = config.Global with { Iterations = 1500 },
            Local = is3D
                ? config.Local with { Iterations = 5500, BatchSize = 4 }
                : config.Local with { SpacingMm = Phantoms.SpacingMm(2), CropSize = 32, Iterations = 3000, BatchSize = 8 },
            ValidateEvery = is3D ? 500 : 100,
        };
    }
}
