using System.Text.Json;
using System.Text.Json.Serialization;
using Landmarks.Imaging.IO;
using Landmarks.Inference.Shape;

namespace Landmarks.Inference.Model;

/// <summary>What a trained model does with one landmark.</summary>
/// <param name="UseLocal">Whether the local stage refines it: false when it did not beat its starting estimate on the
/// validation cases.</param>
/// <param name="GlobalErrorMm">Mean error of the global stage on this landmark (validation cases, or training cases times
/// the local offset scale without them): it weighs the global estimate against the shape model's placement.</param>
/// <param name="FinalErrorMm">Mean error on the validation cases of the stage this landmark uses (null in models written
/// before it was measured, and where no validation case shows the landmark): it weighs the final estimate against the
/// shape model's placement (<see cref="ModelMetadata.ShapeBlend"/>).</param>
public sealed record LandmarkStage(bool UseLocal, double GlobalErrorMm, double? FinalErrorMm = null);

/// <summary>Where an interrupted training stood; only checkpoints carry it.</summary>
public sealed record CheckpointState(TrainingStage Stage, int Iteration, int GlobalIterations, int LocalIterations);

public enum TrainingStage { Global, Local }

/// <summary>How a training run went: for people (train's closing line, and the model file to look at), and for a resumed run, which goes on
/// comparing validation errors with the best ones before the interruption. Errors are means over cases (mm), NaN for a
/// landmark no case shows; null where nothing was measured (no validation cases, or the stage not reached yet).</summary>
/// <param name="BestGlobalIteration">Iteration of the global weights kept (the lowest validation error, else the last).</param>
/// <param name="ValidationMreMm">What the model does on the validation cases, each landmark with the stage it uses.</param>
/// <param name="Landmarks">Per landmark, in <see cref="ModelMetadata.LandmarkNames"/> order; null until the global stage is done.</param>
public sealed record TrainingRecord(
    int GlobalIterations,
    int LocalIterations,
    int? BestGlobalIteration,
    double? BestGlobalMreMm,
    int? BestLocalIteration,
    double? BestLocalMreMm,
    double? ValidationMreMm,
    IReadOnlyList<LandmarkRecord>? Landmarks)
{
    public static TrainingRecord Empty { get; } = new(0, 0, null, null, null, null, null, null);
}

/// <param name="TrainGlobalMreMm">The global stage on the training cases.</param>
/// <param name="ValidationStartMreMm">The local stage's start (global estimates weighed against the shape model) on the validation cases.</param>
/// <param name="ValidationLocalMreMm">The local stage refining from that start, on the validation cases.</param>
public sealed record LandmarkRecord(double TrainGlobalMreMm, double? ValidationStartMreMm, double? ValidationLocalMreMm);

/// <summary>What a model file says about itself. Everything that changes what a model does is a typed field here.</summary>
/// <param name="Shape">The training set's mean shape: it gives a new image's pose and checks the global estimates. Null
/// when the landmarks are too few to define a pose.</param>
/// <param name="Stages">Per landmark, in <see cref="LandmarkNames"/> order; null until the global stage is trained.</param>
/// <param name="Presence">How the presence threshold in <see cref="Config"/> was calibrated; null when it was given.</param>
/// <param name="Training">Null in models written before it was recorded (their string-keyed <c>trainingSummary</c> is
/// ignored: it never changed what a model does).</param>
public sealed record ModelMetadata(
    int FormatVersion,
    string ToolVersion,
    IReadOnlyList<string> LandmarkNames,
    LocalizerConfig Config,
    string IntensityNormalisation,
    string TrainingManifestSha256,
    ShapeModel? Shape,
    IReadOnlyList<LandmarkStage>? Stages,
    PresenceCalibrationResult? Presence,
    CheckpointState? Checkpoint,
    TrainingRecord? Training)
{
    /// <summary>Passes of the local stage (<see cref="Localizer.Refine"/>): 1, one crop around each start; 2, then crops
    /// shifted around that estimate, averaged. Training chooses on the validation cases (the second pass helped on mouse
    /// skulls and hurt on cephalograms); null in models written before it chose, which made two.</summary>
    public int? LocalPasses { get; init; }

    /// <summary>The passes the local stage makes for this model.</summary>
    [JsonIgnore] public int LocalPassesUsed => LocalPasses ?? 2;

    /// <summary>Whether the final estimates are weighed against the shape model fitted to them (<see cref="Localizer.BlendWithShape"/>):
    /// training chooses on the validation cases (on the mouse-skull atlas the mean shape, placed on the reference landmarks,
    /// is as close as the local stage); false in models written before it chose.</summary>
    public bool ShapeBlend { get; init; }

    /// <summary>How intensities are mapped before the networks see them (every back end must do the same).</summary>
    public const string Normalisation = "percentiles 0.5..99.5 -> 0..1, per stage image";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,  // a landmark no validation case shows has a NaN error
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and checks metadata read from <paramref name="source"/> (a model file).</summary>
    public static ModelMetadata Parse(ReadOnlySpan<byte> json, string source)
    {
        ModelMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ModelMetadata>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(source, $"model metadata is not valid: {e.Message}", e);
        }
        if (metadata is null) throw new InvalidFileException(source, "model metadata is empty");
        if (metadata.Config?.Problems().FirstOrDefault() is string problem) throw new InvalidFileException(source, $"model configuration: {problem}");
        if (metadata.LandmarkNames is not { Count: > 0 } || metadata.Config is null
            || metadata.Stages is not null && metadata.Stages.Count != metadata.LandmarkNames.Count
            || metadata.Shape is not null && (metadata.Shape.MeanMm.Length != metadata.LandmarkNames.Count || metadata.Shape.ResidualMm.Length != metadata.LandmarkNames.Count)
            || metadata.Training?.Landmarks is { } landmarks && landmarks.Count != metadata.LandmarkNames.Count
            || metadata.LocalPasses is not (null or 1 or 2)
            || metadata.ShapeBlend && (metadata.Shape is null || metadata.Stages is null))
            throw new InvalidFileException(source, "model metadata is inconsistent");
        return metadata;
    }
}
