using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Evaluation.Metrics;

/// <summary>What happened to one landmark of one case.</summary>
public enum Outcome
{
    /// <summary>In the image and predicted present: it has a radial error.</summary>
    Found,
    /// <summary>In the image but called absent.</summary>
    CalledAbsent,
    /// <summary>In the image but no prediction row at all.</summary>
    NotPredicted,
    /// <summary>Not in the image, yet called present.</summary>
    FalselyPresent,
    /// <summary>Not in the image and called absent (or not predicted).</summary>
    CorrectlyAbsent,
}

public sealed record LandmarkError(string CaseId, string Landmark, WorldMm? ReferenceMm, WorldMm? PredictedMm, double? ErrorMm, Outcome Outcome, double Confidence);

/// <summary>Counts of presence calls against the reference.</summary>
public sealed record PresenceCounts(int Found, int CalledAbsent, int NotPredicted, int FalselyPresent, int CorrectlyAbsent);

/// <summary>
/// Radial errors of predictions against a reference, per case and landmark, summarised per landmark
/// and overall. Cases are those of the reference that have at least one prediction.
/// </summary>
public sealed class LandmarkEvaluation
{
    public static readonly IReadOnlyList<double> DefaultThresholdsMm = [2, 2.5, 3, 4];

    private LandmarkEvaluation(IReadOnlyList<string> names, IReadOnlyList<double> thresholds, IReadOnlyList<LandmarkError> rows, IReadOnlyList<string> casesWithoutPredictions)
    {
        LandmarkNames = names;
        ThresholdsMm = thresholds;
        Rows = rows;
        CasesWithoutPredictions = casesWithoutPredictions;
        PerLandmark = names.ToDictionary(n => n, n => Summarise(rows.Where(r => r.Landmark == n)));
        Overall = Summarise(rows);
        // The error a landmark called absent would have had: where every landmark is in view, this is the figure comparable
        // with methods that make no presence calls.
        var absentCalls = rows.Where(r => r.Outcome == Outcome.CalledAbsent && r.PredictedMm is not null).ToList();
        OverallWithAbsentCalls = absentCalls.Count == 0 ? null : ErrorSummary.Of(
            [.. rows.Where(r => r.ErrorMm is not null).Select(r => r.ErrorMm!.Value).Concat(absentCalls.Select(r => r.ReferenceMm!.Value.DistanceTo(r.PredictedMm!.Value)))],
            rows.Count(r => r.ReferenceMm is not null), thresholds);
        Presence = new PresenceCounts(
            rows.Count(r => r.Outcome == Outcome.Found), rows.Count(r => r.Outcome == Outcome.CalledAbsent),
            rows.Count(r => r.Outcome == Outcome.NotPredicted), rows.Count(r => r.Outcome == Outcome.FalselyPresent),
            rows.Count(r => r.Outcome == Outcome.CorrectlyAbsent));
    }

    public IReadOnlyList<string> LandmarkNames { get; }
    public IReadOnlyList<double> ThresholdsMm { get; }
    public IReadOnlyList<LandmarkError> Rows { get; }
    public IReadOnlyList<string> CasesWithoutPredictions { get; }
    public IReadOnlyDictionary<string, ErrorSummary> PerLandmark { get; }
    public ErrorSummary Overall { get; }

    /// <summary>The overall summary with the positions of landmarks called absent (that are in the image) scored too;
    /// null when no landmark in view was called absent with a position.</summary>
    public ErrorSummary? OverallWithAbsentCalls { get; }
    public PresenceCounts Presence { get; }
    public int CaseCount => Rows.Select(r => r.CaseId).Distinct().Count();

    /// <summary>Mean of prediction minus reference over the landmarks found, per world axis (mm): a systematic shift
    /// (a wrong origin, one observer's habit) shows here while radial errors only grow.</summary>
    public Vec3 MeanSignedErrorMm
    {
        get
        {
            var found = Rows.Where(r => r.Outcome == Outcome.Found).ToList();
            return found.Count == 0 ? new Vec3(double.NaN, double.NaN, double.NaN)
                : found.Aggregate(Vec3.Zero, (sum, r) => sum + (r.PredictedMm!.Value - r.ReferenceMm!.Value)) / found.Count;
        }
    }

    /// <summary>Per case, in case order: the summary of its landmarks.</summary>
    public IReadOnlyList<(string CaseId, ErrorSummary Summary)> PerCase =>
        [.. Rows.GroupBy(r => r.CaseId).Select(g => (g.Key, Summarise(g)))];

    private ErrorSummary Summarise(IEnumerable<LandmarkError> rows)
    {
        var list = rows.ToList();
        int expected = list.Count(r => r.ReferenceMm is not null);
        return ErrorSummary.Of([.. list.Where(r => r.ErrorMm is not null).Select(r => r.ErrorMm!.Value)], expected, ThresholdsMm);
    }

    /// <param name="references">Reference landmarks per case id, in the order of <paramref name="names"/>.</param>
    /// <param name="dimension">2 measures distances in the image plane (x, y): a 2D prediction carries no z.</param>
    public static LandmarkEvaluation Compute(IReadOnlyDictionary<string, LandmarkSet> references, IEnumerable<LandmarkPrediction> predictions,
        IReadOnlyList<string> names, IReadOnlyList<double>? thresholdsMm = null, int dimension = 3)
    {
        var byCase = predictions.GroupBy(p => p.CaseId).ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Landmark));
        var rows = new List<LandmarkError>();
        var withoutPredictions = new List<string>();
        foreach (var (caseId, reference) in references.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!byCase.TryGetValue(caseId, out var predicted))
            {
                withoutPredictions.Add(caseId);
                continue;
            }
            foreach (var name in names)
            {
                var truth = reference.Find(name)?.PositionMm;
                predicted.TryGetValue(name, out var p);
                var outcome = (truth, p) switch
                {
                    (not null, { Present: true }) => Outcome.Found,
                    (not null, not null) => Outcome.CalledAbsent,
                    (not null, null) => Outcome.NotPredicted,
                    (null, { Present: true }) => Outcome.FalselyPresent,
                    _ => Outcome.CorrectlyAbsent,
                };
                var predictedMm = p?.PositionMm is WorldMm at && dimension == 2 && truth is WorldMm plane ? at with { Z = plane.Z } : p?.PositionMm;
                double? error = outcome == Outcome.Found ? truth!.Value.DistanceTo(predictedMm!.Value) : null;
                rows.Add(new LandmarkError(caseId, name, truth, predictedMm, error, outcome, p?.Confidence ?? double.NaN));
            }
        }
        return new LandmarkEvaluation(names, thresholdsMm ?? DefaultThresholdsMm, rows, withoutPredictions);
    }

    /// <summary>A set of landmarks (a second observer's, say) as predictions with no confidence.</summary>
    public static IEnumerable<LandmarkPrediction> AsPredictions(string caseId, LandmarkSet landmarks) =>
        landmarks.Landmarks.Select(l => new LandmarkPrediction(caseId, l.Name, l.PositionMm, double.NaN, l.IsPresent));
}
