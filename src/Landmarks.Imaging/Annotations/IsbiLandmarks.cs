using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>
/// The ISBI 2015 cephalometric text format: one "x,y" line per landmark, in pixels (column, row,
/// origin at the centre of the top-left pixel), in a fixed order. The challenge's release has lines of single
/// numbers (classes) after the points, which are ignored; more points than names is refused, so that a
/// short list of names cannot silently drop points.
/// </summary>
internal static class IsbiLandmarks
{
    public static LandmarkSet Read(string path, ImageGeometry pixelGrid, IReadOnlyList<string> names)
    {
        var all = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (all.Count == 0) throw new InvalidFileException(path, "file is empty");
        var lines = all.Take(names.Count).ToList();
        if (lines.Count < names.Count) throw new InvalidFileException(path, $"has {lines.Count} landmark lines where {names.Count} are expected");
        int points = all.Count(l => l.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length >= 2);
        if (points > names.Count) throw new InvalidFileException(path, $"has {points} points but {names.Count} landmark names were given");
        var landmarks = new List<Landmark>();
        for (int n = 0; n < names.Count; n++)
        {
            var cells = lines[n].Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length < 2) throw new InvalidFileException(path, $"line {n + 1} is '{lines[n]}', expected 'x,y'");
            double x = Csv.ParseFinite(path, n + 1, "x", cells[0]), y = Csv.ParseFinite(path, n + 1, "y", cells[1]);
            landmarks.Add(new Landmark(names[n], pixelGrid.IndexToWorld(new VoxelIndex(x, y, 0))));
        }
        return new LandmarkSet(landmarks);
    }

    public static void Write(LandmarkSet landmarks, string path, ImageGeometry pixelGrid)
    {
        var text = new StringBuilder();
        foreach (var l in landmarks.Landmarks)
        {
            var p = l.PositionMm ?? throw new InvalidFileException(path, $"landmark '{l.Name}' is absent; the ISBI format cannot say so");
            var index = pixelGrid.WorldToIndex(p);
            text.Append($"{Csv.Format(Math.Round(index.I, 6))},{Csv.Format(Math.Round(index.J, 6))}\n");
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
