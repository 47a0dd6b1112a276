using System.Text;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Review;

/// <summary>A landmark as the review shows it: where it is now, whether it is present, the prediction it came from, and
/// whether the user corrected it.</summary>
public sealed record ReviewedLandmark(string Name, WorldMm? PositionMm, double Confidence, bool Present, bool Corrected, WorldMm? OriginalMm, bool OriginalPresent);

/// <summary>One scan under review: its input and its landmarks, with the reference's where a manifest gave one.</summary>
public sealed record ReviewCase(ScanInput Scan, IReadOnlyList<ReviewedLandmark> Landmarks, LandmarkSet? Reference)
{
    public string Id => Scan.CaseId;

    /// <summary>How much the case asks for a look: the largest error against the reference where there is one (mm), else
    /// one for each landmark called absent plus how unsure the least sure present landmark is.</summary>
    public double Concern
    {
        get
        {
            if (Reference is not null)
            {
                var errors = Landmarks.Select(l => l.PositionMm is WorldMm p && l.Present && Reference.Find(l.Name)?.PositionMm is WorldMm t ? p.DistanceTo(t) : 0).ToList();
                if (errors.Count > 0) return 1000 + errors.Max();
            }
            return Landmarks.Count(l => !l.Present) + (1 - (LeastConfidence ?? 1));
        }
    }

    /// <summary>The confidence of the least sure landmark called present; null when none has one.</summary>
    public double? LeastConfidence => Landmarks.Where(l => l.Present && double.IsFinite(l.Confidence)).Select(l => (double?)l.Confidence).Min();
}

/// <summary>
/// The state of a review: the cases and their landmarks, every correction saved at once to the output CSV (the
/// prediction CSV's columns, plus whether the row was corrected and its original position), atomically; the input
/// predictions are never written. Reopening with the same output resumes the corrections. Thread-safe.
/// </summary>
public sealed class ReviewSession
{
    public const string Header = PredictionCsv.Header + ",corrected,original_x,original_y,original_z,original_present";

    private readonly object _lock = new();
    private readonly Dictionary<string, ReviewCase> _cases;
    private readonly Dictionary<string, Stack<ReviewedLandmark[]>> _undo = [];
    private readonly string _outputPath;
    private readonly int _dimension;

    private ReviewSession(Dictionary<string, ReviewCase> cases, string outputPath, int dimension)
    {
        _cases = cases;
        _outputPath = outputPath;
        _dimension = dimension;
    }

    /// <param name="scans">The scans to review (the inputs, as predict takes them).</param>
    /// <param name="predictionsPath">The prediction CSV; never written.</param>
    /// <param name="outputPath">The reviewed CSV: read back to resume when it exists, written on every correction.</param>
    /// <param name="references">Reference landmarks per case, where a manifest gave them.</param>
    public static ReviewSession Open(IReadOnlyList<ScanInput> scans, string predictionsPath, string outputPath, IReadOnlyDictionary<string, LandmarkSet>? references = null)
    {
        if (Path.GetFullPath(predictionsPath) == Path.GetFullPath(outputPath))
            throw new InvalidFileException(outputPath, "the review's output must not be its input predictions: they are never changed");
        int dimension = PredictionCsv.DimensionOf(predictionsPath);
        var predicted = PredictionCsv.Read(predictionsPath).GroupBy(r => r.CaseId).ToDictionary(g => g.Key, g => g.ToList());
        var saved = File.Exists(outputPath) ? ReadOutput(outputPath) : [];
        var cases = new Dictionary<string, ReviewCase>();
        foreach (var scan in scans)
        {
            if (!predicted.TryGetValue(scan.CaseId, out var rows)) continue;
            var landmarks = rows.Select(r => saved.TryGetValue((r.CaseId, r.Landmark), out var s) ? s
                : new ReviewedLandmark(r.Landmark, r.PositionMm, r.Confidence, r.Present, false, r.PositionMm, r.Present)).ToArray();
            cases[scan.CaseId] = new ReviewCase(scan, landmarks, references?.GetValueOrDefault(scan.CaseId));
        }
        if (cases.Count == 0) throw new InvalidFileException(predictionsPath, "none of its cases is among the inputs: nothing to review");
        return new ReviewSession(cases, outputPath, dimension);
    }

    public int Dimension => _dimension;

    /// <summary>The cases, those that ask most for a look first.</summary>
    public IReadOnlyList<ReviewCase> Cases
    {
        get { lock (_lock) return [.. _cases.Values.OrderByDescending(c => c.Concern).ThenBy(c => c.Id, StringComparer.Ordinal)]; }
    }

    public ReviewCase? Find(string id)
    {
        lock (_lock) return _cases.GetValueOrDefault(id);
    }

    /// <summary>Moves a landmark (it is then present there) or, with a null position, marks it absent; saves at once.</summary>
    public ReviewCase Correct(string caseId, string landmark, WorldMm? positionMm)
    {
        lock (_lock)
        {
            var c = _cases.GetValueOrDefault(caseId) ?? throw new KeyNotFoundException($"no case '{caseId}'");
            int index = c.Landmarks.ToList().FindIndex(l => l.Name == landmark);
            if (index < 0) throw new KeyNotFoundException($"case '{caseId}' has no landmark '{landmark}'");
            if (positionMm is WorldMm p && !p.IsFinite) throw new ArgumentException("a position must be finite");
            var before = c.Landmarks.ToArray();
            var after = before.ToArray();
            var old = before[index];
            after[index] = old with { PositionMm = positionMm ?? old.PositionMm, Present = positionMm is not null, Corrected = true };
            Update(c, after, before);
            return _cases[caseId];
        }
    }

    /// <summary>Takes back the case's last correction; false when there is none.</summary>
    public bool Undo(string caseId)
    {
        lock (_lock)
        {
            if (!_undo.TryGetValue(caseId, out var history) || history.Count == 0) return false;
            var c = _cases[caseId];
            _cases[caseId] = c with { Landmarks = history.Pop() };
            Save();
            return true;
        }
    }

    private void Update(ReviewCase c, ReviewedLandmark[] after, ReviewedLandmark[] before)
    {
        if (!_undo.TryGetValue(c.Id, out var history)) _undo[c.Id] = history = new Stack<ReviewedLandmark[]>();
        history.Push(before);
        _cases[c.Id] = c with { Landmarks = after };
        Save();
    }

    private void Save()
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var c in _cases.Values.OrderBy(c => c.Id, StringComparer.Ordinal))
            foreach (var l in c.Landmarks)
            {
                text.Append(PredictionCsv.FormatRow(new LandmarkPrediction(c.Id, l.Name, l.PositionMm, l.Confidence, l.Present), _dimension));
                text.Append(',').Append(l.Corrected ? "true" : "false").Append(',').Append(PredictionCsv.FormatPosition(l.OriginalMm, _dimension));
                text.Append(',').Append(l.OriginalPresent ? "true" : "false").Append('\n');
            }
        AtomicFile.WriteAllText(_outputPath, text.ToString());
    }

    /// <summary>The corrected rows of an earlier review's output, to resume from.</summary>
    private static Dictionary<(string, string), ReviewedLandmark> ReadOutput(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header) throw new InvalidFileException(path, $"not a review output: its header is not '{Header}'");
        var rows = PredictionCsv.Read(path);
        var result = new Dictionary<(string, string), ReviewedLandmark>();
        for (int n = 1, row = 0; n < lines.Length; n++)
        {
            if (lines[n].Trim().Length == 0) continue;
            var cells = Csv.Split(lines[n]);
            var r = rows[row++];
            if (cells[7].Trim() != "true") continue;
            WorldMm? original = cells[8].Trim().Length > 0
                ? new WorldMm(Csv.ParseFinite(path, n + 1, "original_x", cells[8]), Csv.ParseFinite(path, n + 1, "original_y", cells[9]),
                    cells[10].Trim().Length > 0 ? Csv.ParseFinite(path, n + 1, "original_z", cells[10]) : 0)
                : null;
            result[(r.CaseId, r.Landmark)] = new ReviewedLandmark(r.Landmark, r.PositionMm, r.Confidence, r.Present, true, original, cells[11].Trim() == "true");
        }
        return result;
    }

    /// <summary>A case's landmarks as a 3D Slicer markups file (absent ones "missing").</summary>
    public static LandmarkSet AsLandmarkSet(ReviewCase c) => new(c.Landmarks.Select(l => new Landmark(l.Name, l.Present ? l.PositionMm : null)));
}
