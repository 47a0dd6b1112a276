using System.Globalization;
using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>CSV with a header <c>name,x,y[,z]</c>, world LPS mm; empty coordinates mark an absent landmark.</summary>
internal static class CsvLandmarks
{
    public static LandmarkSet Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new InvalidFileException(path, "file is empty");
        var header = Csv.Split(lines[0]).Select(h => h.Trim().ToLowerInvariant()).ToList();
        if (header.Count < 3 || header[0] != "name" || header[1] != "x" || header[2] != "y" || (header.Count > 3 && header[3] != "z"))
            throw new InvalidFileException(path, $"header is '{lines[0]}', expected 'name,x,y' or 'name,x,y,z'");
        int columns = header.Count > 3 ? 4 : 3;
        var landmarks = new List<Landmark>();
        for (int n = 1; n < lines.Count; n++)
        {
            var cells = Csv.Split(lines[n]);
            if (cells.Count < columns) throw new InvalidFileException(path, $"line {n + 1} has {cells.Count} fields, expected {columns}");
            string name = cells[0].Trim();
            if (name.Length == 0) throw new InvalidFileException(path, $"line {n + 1} has no landmark name");
            if (cells.Skip(1).Take(columns - 1).All(c => c.Trim().Length == 0))
            {
                landmarks.Add(Landmark.Absent(name));
                continue;
            }
            double Coordinate(int column) => Csv.ParseFinite(path, n + 1, header[column], cells[column]);
            landmarks.Add(new Landmark(name, new WorldMm(Coordinate(1), Coordinate(2), columns == 4 ? Coordinate(3) : 0)));
        }
        return new LandmarkSet(landmarks);
    }

    public static void Write(LandmarkSet landmarks, string path)
    {
        var text = new StringBuilder("name,x,y,z\n");
        foreach (var l in landmarks.Landmarks)
        {
            text.Append(Csv.Quote(l.Name));
            text.Append(l.PositionMm is WorldMm p ? $",{Csv.Format(p.X)},{Csv.Format(p.Y)},{Csv.Format(p.Z)}\n" : ",,,\n");
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }
}

/// <summary>Minimal RFC 4180 CSV: quoted fields with doubled quotes; invariant numbers.</summary>
public static class Csv
{
    public static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }

    public static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static double ParseFinite(string path, int line, string column, string text)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new InvalidFileException(path, $"line {line}: {column} '{text.Trim()}' is not a number");
        if (!double.IsFinite(value))
            throw new InvalidFileException(path, $"line {line}: {column} is {text.Trim()}, not a finite coordinate");
        return value;
    }
}
