namespace Landmarks.Learning.Training;

/// <summary>A report from a running training: where it is, its loss parts, speed and time left.</summary>
public sealed record TrainingProgress(
    string Stage,
    int Iteration,
    int Iterations,
    double Loss,
    double RegressionLoss,
    double ClassificationLoss,
    double IterationsPerSecond,
    TimeSpan Remaining);

/// <param name="Seed">Seeds network initialisation and every random choice of the data: the same seed and iteration counts give the same model.</param>
/// <param name="CheckpointPath">Written atomically every few iterations; <see cref="Resume"/> carries on from it.</param>
/// <param name="TimeBudget">When set, iteration counts are fitted to it after measuring the speed of each stage.</param>
/// <param name="GlobalStageFrom">A model file whose global stage (weights, settings, pose template) this run takes instead of
/// training one: only the local stage trains. With the same data, settings and seed it gives the model a whole run gives.</param>
public sealed record TrainerOptions(
    int Seed,
    TorchSharp.torch.Device Device,
    string CheckpointPath,
    bool Resume,
    TimeSpan? TimeBudget,
    Action<TrainingProgress>? Progress = null,
    Action<string>? Log = null,
    string? GlobalStageFrom = null);
