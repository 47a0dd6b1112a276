using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>3D Slicer fiducial CSV (.fcsv): '#' header lines give the coordinate system (0/RAS or
/// 1/LPS) and the columns; the name is the label column.</summary>
internal static class FcsvLandmarks
{
    private static readonly string[] DefaultColumns = ["id", "x", "y", "z", "ow", "ox", "oy", "oz", "vis", "sel", "lock", "label", "desc", "associatedNodeID"];

    public static LandmarkSet Read(string path)
    {
        bool ras = true; // Slicer's default for files without the line
        var columns = DefaultColumns.ToList();
        var landmarks = new List<Landmark>();
        int lineNumber = 0;
        bool sawHeader = false;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            if (line.StartsWith('#'))
            {
                sawHeader |= line.Contains("Markups fiducial file", StringComparison.OrdinalIgnoreCase);
                string body = line.TrimStart('#').Trim();
                if (body.StartsWith("CoordinateSystem", StringComparison.OrdinalIgnoreCase))
                    ras = Slicer.IsRas(path, body[(body.IndexOf('=') + 1)..].Trim());
                else if (body.StartsWith("columns", StringComparison.OrdinalIgnoreCase))
                    columns = [.. body[(body.IndexOf('=') + 1)..].Split(',').Select(c => c.Trim())];
                continue;
            }
            if (!sawHeader) throw new InvalidFileException(path, "not a Slicer fiducial file: no '# Markups fiducial file' header line");
            var cells = Csv.Split(line);
            string Cell(string column)
            {
                int index = columns.IndexOf(column);
                if (index < 0) throw new InvalidFileException(path, $"no '{column}' column");
                return index < cells.Count ? cells[index] : throw new InvalidFileException(path, $"line {lineNumber} has {cells.Count} fields, fewer than the columns");
            }
            double Coordinate(string axis) => Csv.ParseFinite(path, lineNumber, axis, Cell(axis));
            string name = Cell("label").Trim() is { Length: > 0 } label ? label : Cell("id");
            double x = Coordinate("x"), y = Coordinate("y"), z = Coordinate("z");
            landmarks.Add(new Landmark(name, ras ? WorldMm.FromRas(x, y, z) : new WorldMm(x, y, z)));
        }
        return new LandmarkSet(landmarks);
    }

    public static void Write(LandmarkSet landmarks, string path, bool ras)
    {
        var text = new StringBuilder()
            .Append("# Markups fiducial file version = 4.11\n")
            .Append(ras ? "# CoordinateSystem = RAS\n" : "# CoordinateSystem = LPS\n")
            .Append("# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\n");
        int n = 0;
        foreach (var l in landmarks.Landmarks)
        {
            n++;
            // Dropping it would lose the landmark without a word; the Slicer markups JSON can say "missing".
            if (l.PositionMm is not WorldMm p) throw new InvalidFileException(path, $"landmark '{l.Name}' is absent, which .fcsv cannot record: use .mrk.json");
            var (x, y) = ras ? (-p.X, -p.Y) : (p.X, p.Y);
            text.Append($"{n},{Csv.Format(x)},{Csv.Format(y)},{Csv.Format(p.Z)},0,0,0,1,1,1,0,{Csv.Quote(l.Name)},,\n");
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
