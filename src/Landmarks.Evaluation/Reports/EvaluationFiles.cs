using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Landmarks.Evaluation.Measures;
using Landmarks.Evaluation.Metrics;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Evaluation.Reports;

/// <summary>A named evaluation: a model's predictions, or the second observer.</summary>
public sealed record NamedEvaluation(string Name, LandmarkEvaluation Evaluation);

/// <summary>How often a set's landmarks put each case in the reference's class of each clinical measure.</summary>
public sealed record NamedAgreement(string Name, IReadOnlyList<MeasureAgreement> Measures);

/// <summary>A paired comparison of two models' radial errors on the landmarks both found.</summary>
public sealed record Comparison(string First, string Second, int Pairs, double MeanDifferenceMm, WilcoxonSignedRank.Result Test)
{
    public static Comparison Of(NamedEvaluation a, NamedEvaluation b)
    {
        var errorsB = b.Evaluation.Rows.Where(r => r.ErrorMm is not null).ToDictionary(r => (r.CaseId, r.Landmark), r => r.ErrorMm!.Value);
        var pairs = a.Evaluation.Rows.Where(r => r.ErrorMm is not null && errorsB.ContainsKey((r.CaseId, r.Landmark)))
            .Select(r => (A: r.ErrorMm!.Value, B: errorsB[(r.CaseId, r.Landmark)])).ToList();
        var test = WilcoxonSignedRank.Test([.. pairs.Select(p => p.A)], [.. pairs.Select(p => p.B)]);
        return new Comparison(a.Name, b.Name, pairs.Count, pairs.Count == 0 ? double.NaN : pairs.Average(p => p.A - p.B), test);
    }
}

/// <summary>metrics.json and errors.csv.</summary>
public static class EvaluationFiles
{
    public static void WriteMetricsJson(string path, IReadOnlyList<NamedEvaluation> models, NamedEvaluation? observer, IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<NamedAgreement> measureAgreement)
    {
        JsonNode Number(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : JsonValue.Create((double?)null)!;
        JsonObject Summary(ErrorSummary s) => new()
        {
            ["expected"] = s.Expected,
            ["measured"] = s.Measured,
            ["mreMm"] = Number(s.MeanMm),
            ["sdMm"] = Number(s.StandardDeviationMm),
            ["medianMm"] = Number(s.MedianMm),
            ["p95Mm"] = Number(s.Percentile95Mm),
            ["maxMm"] = Number(s.MaxMm),
            ["sdr"] = new JsonObject(s.DetectionRates.Select(r => KeyValuePair.Create(r.ThresholdMm.ToString(CultureInfo.InvariantCulture) + "mm", (JsonNode?)Number(r.Rate)))),
        };
        JsonObject Of(NamedEvaluation n) => new()
        {
            ["name"] = n.Name,
            ["cases"] = n.Evaluation.CaseCount,
            ["overall"] = Summary(n.Evaluation.Overall),
            ["overallWithAbsentCalls"] = n.Evaluation.OverallWithAbsentCalls is { } withAbsent ? Summary(withAbsent) : null,
            ["perLandmark"] = new JsonObject(n.Evaluation.LandmarkNames.Select(l => KeyValuePair.Create(l, (JsonNode?)Summary(n.Evaluation.PerLandmark[l])))),
            ["presence"] = JsonSerializer.SerializeToNode(n.Evaluation.Presence, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }),
            ["casesWithoutPredictions"] = new JsonArray([.. n.Evaluation.CasesWithoutPredictions.Select(c => (JsonNode?)c)]),
        };
        var root = new JsonObject
        {
            ["thresholdsMm"] = new JsonArray([.. (models.FirstOrDefault()?.Evaluation.ThresholdsMm ?? []).Select(t => (JsonNode?)t)]),
            ["models"] = new JsonArray([.. models.Select(m => (JsonNode?)Of(m))]),
            ["secondObserver"] = observer is null ? null : Of(observer),
            ["comparisons"] = new JsonArray([.. comparisons.Select(c => (JsonNode?)new JsonObject
            {
                ["first"] = c.First,
                ["second"] = c.Second,
                ["pairs"] = c.Pairs,
                ["meanDifferenceMm"] = Number(c.MeanDifferenceMm),
                ["wilcoxonWPlus"] = c.Test.WPlus,
                ["pValue"] = Number(c.Test.PValue),
                ["exact"] = c.Test.Exact,
            })]),
            ["measureAgreement"] = new JsonArray([.. measureAgreement.Select(a => (JsonNode?)new JsonObject
            {
                ["name"] = a.Name,
                ["measures"] = new JsonObject(a.Measures.Select(m => KeyValuePair.Create(m.Measure, (JsonNode?)new JsonObject
                {
                    ["cases"] = m.Cases,
                    ["agreeing"] = m.Agreeing,
                    ["accuracy"] = Number(m.Accuracy),
                }))),
            })]),
        };
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>One row per evaluated set, case and landmark.</summary>
    public static void WriteErrorsCsv(string path, IEnumerable<NamedEvaluation> evaluations)
    {
        string F(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";
        string P(WorldMm? p) => p is WorldMm w ? $"{F(w.X)},{F(w.Y)},{F(w.Z)}" : ",,";
        var text = new StringBuilder("model,case,landmark,ref_x,ref_y,ref_z,pred_x,pred_y,pred_z,error_mm,outcome,confidence\n");
        foreach (var e in evaluations)
            foreach (var r in e.Evaluation.Rows)
                text.Append($"{Csv.Quote(e.Name)},{Csv.Quote(r.CaseId)},{Csv.Quote(r.Landmark)},{P(r.ReferenceMm)},{P(r.PredictedMm)},{F(r.ErrorMm)},{r.Outcome},{F(r.Confidence)}\n");
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
