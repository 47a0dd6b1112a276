using System.Collections.Concurrent;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Datasets;

/// <summary>Reads every case of a manifest and summarises what it finds.</summary>
public sealed record DatasetCheckReport(
    int CaseCount,
    IReadOnlyList<CaseSummary> Readable,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    public bool Passed => Errors.Count == 0;

    public static DatasetCheckReport Run(DatasetManifest manifest, Action<int>? progress = null)
    {
        var summaries = new ConcurrentBag<CaseSummary>();
        var errors = new ConcurrentBag<string>();
        var warnings = new ConcurrentBag<string>();
        int done = 0;
        Parallel.ForEach(manifest.Cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            try
            {
                var loaded = manifest.LoadCase(c, warnings.Add);
                summaries.Add(CaseSummary.Of(loaded));
            }
            catch (InvalidFileException e)
            {
                errors.Add($"case {c.Id}: {e.Message}");
            }
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        return new DatasetCheckReport(manifest.Cases.Count,
            [.. summaries.OrderBy(s => s.Id, StringComparer.Ordinal)],
            [.. errors.Order(StringComparer.Ordinal)],
            [.. warnings.Distinct().Order(StringComparer.Ordinal)]);
    }
}

public sealed record CaseSummary(string Id, ImageGeometry Geometry, int Present, int Absent, IReadOnlyList<string> Outside, bool HasSecondObserver)
{
    public static CaseSummary Of(LoadedCase loaded)
    {
        var outside = loaded.Reference.Landmarks.Concat(loaded.SecondObserver?.Landmarks ?? [])
            .Where(l => l.PositionMm is WorldMm p && !loaded.Image.Geometry.ContainsWorld(p))
            .Select(l => l.Name).Distinct().ToList();
        return new CaseSummary(loaded.Id, loaded.Image.Geometry,
            loaded.Reference.Landmarks.Count(l => l.IsPresent), loaded.Reference.Landmarks.Count(l => !l.IsPresent),
            outside, loaded.SecondObserver is not null);
    }
}
