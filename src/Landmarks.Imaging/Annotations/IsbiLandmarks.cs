using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>
/// The ISBI 2015 cephalometric text format: one "x,y" line per landmark, in pixels (column, row,
/// origin at the centre of the top-left pixel), in a fixed order; lines after the expected ones are ignored.
/// </summary>
internal static class IsbiLandmarks
{
    public static LandmarkSet Read(string path, ImageGeometry pixelGrid, IReadOnlyList<string> names)
    {
        var lines = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).Take(names.Count).ToList();
        if (lines.Count < names.Count) throw new InvalidFileException(path, $"has {lines.Count} landmark lines where {names.Count} are expected");
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
