using System.Globalization;
using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>One predicted landmark of one case: world LPS mm, a confidence in [0, 1], and whether
/// the model calls it present in the image. An absent call may carry no position.</summary>
public sealed record LandmarkPrediction(string CaseId, string Landmark, WorldMm? PositionMm, double Confidence, bool Present);

/// <summary>
/// The prediction table: <c>case,landmark,x,y,z,confidence,present</c>, one row per case and
/// landmark, world mm, z empty for 2D images.
/// </summary>
public static class PredictionCsv
{
    public const string Header = "case,landmark,x,y,z,confidence,present";

    /// <param name="dimension">The dimension of the images predicted, when known: 3D rows need a z, 2D rows must leave it empty.</param>
    public static IReadOnlyList<LandmarkPrediction> Read(string path, int? dimension = null)
    {
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        var rows = new List<LandmarkPrediction>();
        var seen = new HashSet<(string, string)>();
        int lineNumber = 0, columns = 7;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            if (lineNumber == 1)
            {
                // Later columns (a review's corrections) are allowed and left for their own reader.
                var header = Csv.Split(line.Trim().ToLowerInvariant());
                if (header.Count < 7 || string.Join(',', header.Take(7)) != Header)
                    throw new InvalidFileException(path, $"header is '{line.Trim()}', expected '{Header}'");
                columns = header.Count;
                continue;
            }
            var cells = Csv.Split(line);
            if (cells.Count != columns) throw new InvalidFileException(path, $"line {lineNumber} has {cells.Count} fields, expected {columns}");
            string caseId = cells[0].Trim(), landmark = cells[1].Trim();
            if (caseId.Length == 0 || landmark.Length == 0) throw new InvalidFileException(path, $"line {lineNumber} has no case or landmark name");
            if (!seen.Add((caseId, landmark))) throw new InvalidFileException(path, $"line {lineNumber}: case '{caseId}', landmark '{landmark}' appears twice");
            bool present = cells[6].Trim().ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                var other => throw new InvalidFileException(path, $"line {lineNumber}: present '{other}' is not true or false"),
            };
            double confidence = cells[5].Trim().Length == 0 ? double.NaN : Csv.ParseFinite(path, lineNumber, "confidence", cells[5]);
            WorldMm? position = null;
            bool hasZ = cells[4].Trim().Length > 0;
            if (cells[2].Trim().Length > 0 || cells[3].Trim().Length > 0)
            {
                if (dimension == 3 && !hasZ) throw new InvalidFileException(path, $"line {lineNumber}: z is empty, but the images are 3D");
                if (dimension == 2 && hasZ) throw new InvalidFileException(path, $"line {lineNumber}: z is given, but the images are 2D (leave it empty)");
                position = new WorldMm(Csv.ParseFinite(path, lineNumber, "x", cells[2]), Csv.ParseFinite(path, lineNumber, "y", cells[3]),
                    hasZ ? Csv.ParseFinite(path, lineNumber, "z", cells[4]) : 0);
            }
            else if (present)
            {
                throw new InvalidFileException(path, $"line {lineNumber}: a landmark called present needs x and y");
            }
            rows.Add(new LandmarkPrediction(caseId, landmark, position, confidence, present));
        }
        if (lineNumber == 0) throw new InvalidFileException(path, "file is empty");
        return rows;
    }

    /// <summary>3 when some row of the file gives a z, else 2: the dimension of the images it was written for.</summary>
    public static int DimensionOf(string path) =>
        File.ReadLines(path).Skip(1).Select(Csv.Split).Any(cells => cells.Count >= 7 && cells[4].Trim().Length > 0) ? 3 : 2;

    public static void Write(IEnumerable<LandmarkPrediction> predictions, string path, int dimension) =>
        AtomicFile.WriteAllText(path, Format(predictions, dimension, header: true));

    /// <summary>The rows as CSV text (with the header line when asked), for writing or appending.</summary>
    public static string Format(IEnumerable<LandmarkPrediction> predictions, int dimension, bool header)
    {
        var text = new StringBuilder();
        if (header) text.Append(Header).Append('\n');
        foreach (var p in predictions) text.Append(FormatRow(p, dimension)).Append('\n');
        return text.ToString();
    }

    /// <summary>One row's seven columns, without the line end (a review's output appends its own columns).</summary>
    public static string FormatRow(LandmarkPrediction p, int dimension) =>
        $"{Csv.Quote(p.CaseId)},{Csv.Quote(p.Landmark)},{FormatPosition(p.PositionMm, dimension)}," +
        $"{(double.IsNaN(p.Confidence) ? "" : p.Confidence.ToString("0.######", CultureInfo.InvariantCulture))},{(p.Present ? "true" : "false")}";

    /// <summary>x,y,z in mm (z empty in 2D), or three empty cells.</summary>
    public static string FormatPosition(WorldMm? positionMm, int dimension) =>
        positionMm is WorldMm w ? $"{Csv.Format(w.X)},{Csv.Format(w.Y)},{(dimension == 3 ? Csv.Format(w.Z) : "")}" : ",,";
}
