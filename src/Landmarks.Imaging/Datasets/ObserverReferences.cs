using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Datasets;

/// <summary>Which annotation of a two-observer dataset a derived manifest takes as its reference.</summary>
public enum ObserverReference
{
    /// <summary>The second observer; the first becomes the second observer, so comparisons between them still run.</summary>
    Second,
    /// <summary>Per landmark, the midpoint of the two observers (the one position where only one placed it): the consensus
    /// rather than one observer's habit, to train on or to score against.</summary>
    Mean,
}

/// <summary>
/// A manifest with another reference for every case of a dataset whose cases have two observers. The images are not copied
/// (its cases point at the source's); the new reference landmarks are written in world mm as Slicer markups, one per case.
/// </summary>
public static class ObserverReferences
{
    public static DatasetManifest Write(DatasetManifest source, ObserverReference reference, string directory)
    {
        Directory.CreateDirectory(directory);
        string suffix = reference == ObserverReference.Mean ? "observer-mean" : "second-observer";
        var cases = new List<DatasetCase>(source.Cases.Count);
        foreach (var c in source.Cases)
        {
            if (c.SecondObserver is null)
                throw new InvalidFileException(source.Resolve(c.Landmarks), $"case '{c.Id}' has no second observer: a reference from two observers needs both");
            var (first, second) = source.ReadBothObservers(c);
            string path = Path.Combine(directory, $"{c.Id}.{suffix}.mrk.json");
            if (reference == ObserverReference.Mean)
            {
                LandmarkFile.Write(new LandmarkSet(first.Landmarks.Zip(second.Landmarks, (a, b) => a with { PositionMm = Midpoint(a.PositionMm, b.PositionMm) })), path);
                cases.Add(c with { Image = source.Resolve(c.Image), Landmarks = path, SecondObserver = null });
            }
            else
            {
                LandmarkFile.Write(second, path);
                cases.Add(c with { Image = source.Resolve(c.Image), Landmarks = path, SecondObserver = source.Resolve(c.Landmarks) });
            }
        }
        string name = $"{source.Name}-{suffix}";
        string manifestPath = Path.Combine(directory, name + ".json");
        new DatasetManifest(name, source.LandmarkNames, cases, source.SpacingMm).Save(manifestPath);
        return DatasetManifest.Load(manifestPath);
    }

    private static WorldMm? Midpoint(WorldMm? a, WorldMm? b) => (a, b) switch
    {
        (WorldMm p, WorldMm q) => WorldMm.FromVector((p.AsVector() + q.AsVector()) / 2),
        _ => a ?? b,
    };
}
