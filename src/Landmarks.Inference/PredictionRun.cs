using System.Diagnostics;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.IO;

namespace Landmarks.Inference;

/// <summary>How one scan of a <see cref="PredictionRun"/> went: its landmarks, or why it failed; seconds for reading and locating.</summary>
public sealed record PredictedCase(string CaseId, IReadOnlyList<LocatedLandmark>? Landmarks, string? Error, TimeSpan Read, TimeSpan Located);

/// <summary>Counts of a finished <see cref="PredictionRun"/>.</summary>
public sealed record PredictionSummary(int Predicted, int Skipped, int Failed);

/// <summary>
/// Predicts scans into one prediction CSV that a rerun resumes: cases already in the file are skipped, and the file is
/// rewritten whole and renamed after every case, so a run killed at any moment leaves a valid file to carry on from. The
/// file is locked against a second writer from <see cref="Open"/> to <see cref="Dispose"/>, so that a second run fails before
/// it loads a model. A scan that cannot be read or located fails alone.
/// </summary>
public sealed class PredictionRun : IDisposable
{
    private readonly WriterLock _lock;
    private readonly string _csvPath;
    private readonly string? _markupsFolder;
    private readonly Action<string>? _warn;

    private PredictionRun(WriterLock held, string csvPath, string? markupsFolder, Action<string>? warn) =>
        (_lock, _csvPath, _markupsFolder, _warn) = (held, csvPath, markupsFolder, warn);

    /// <param name="markupsFolder">Where to write one Slicer .mrk.json per case as well (absent landmarks marked so); null for none.</param>
    /// <param name="warn">Where readers' warnings about a scan go.</param>
    public static PredictionRun Open(string csvPath, string? markupsFolder = null, Action<string>? warn = null) =>
        new(WriterLock.Acquire(csvPath), csvPath, markupsFolder, warn);

    public PredictionSummary Run(Localizer localizer, IEnumerable<ScanInput> scans, Action<PredictedCase>? progress = null)
    {
        var rows = File.Exists(_csvPath) ? PredictionCsv.Read(_csvPath).ToList() : [];
        var done = rows.Select(r => r.CaseId).ToHashSet();
        int predicted = 0, skipped = 0, failed = 0;
        foreach (var scan in scans)
        {
            if (done.Contains(scan.CaseId)) { skipped++; continue; }
            var outcome = Predict(localizer, scan);
            if (outcome.Landmarks is { } located)
            {
                rows.AddRange(located.Select(l => new LandmarkPrediction(scan.CaseId, l.Name, l.PositionMm, l.Confidence, l.Present)));
                done.Add(scan.CaseId);
                PredictionCsv.Write(rows, _csvPath, localizer.Model.Config.Dimension);
                if (_markupsFolder is not null)
                    LandmarkFile.Write(new LandmarkSet(located.Select(l => new Landmark(l.Name, l.Present ? l.PositionMm : null))), Path.Combine(_markupsFolder, scan.CaseId + ".mrk.json"));
                predicted++;
            }
            else failed++;
            progress?.Invoke(outcome);
        }
        return new PredictionSummary(predicted, skipped, failed);
    }

    public void Dispose() => _lock.Dispose();

    private PredictedCase Predict(Localizer localizer, ScanInput scan)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var image = ImageFile.Read(scan.ImagePath, new ImageReadOptions(scan.SpacingMm, _warn));
            var read = clock.Elapsed;
            clock.Restart();
            var located = localizer.Locate(image);
            return new PredictedCase(scan.CaseId, located, null, read, clock.Elapsed);
        }
        catch (Exception e) when (e is InvalidFileException or ArgumentException)
        {
            return new PredictedCase(scan.CaseId, null, e.Message, clock.Elapsed, TimeSpan.Zero);
        }
    }
}
