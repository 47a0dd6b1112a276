using System.Text.Json;
using System.Text.Json.Nodes;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>
/// 3D Slicer markups JSON (.mrk.json): the control points of every markup in the file, named by
/// label, in LPS or RAS. A point whose positionStatus is "undefined" or "missing" is absent.
/// </summary>
internal static class SlicerMarkups
{
    private const string Schema = "https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#";

    public static LandmarkSet Read(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidFileException(path, "expected a JSON object");
        var markups = root["markups"] as JsonArray ?? throw new InvalidFileException(path, "no 'markups' array: not a Slicer markups file");
        var landmarks = new List<Landmark>();
        foreach (var markup in markups.OfType<JsonObject>())
        {
            bool ras = Slicer.IsRas(path, Slicer.Text(path, markup, "coordinateSystem") ?? "LPS");
            foreach (var point in (markup["controlPoints"] as JsonArray ?? []).OfType<JsonObject>())
            {
                string name = Slicer.Text(path, point, "label") is { Length: > 0 } label ? label
                    : Slicer.Text(path, point, "id") ?? $"{landmarks.Count + 1}";
                string status = Slicer.Text(path, point, "positionStatus") ?? "defined";
                bool absent = status is "undefined" or "missing" || point["position"] is null;
                landmarks.Add(absent ? Landmark.Absent(name) : new Landmark(name, Slicer.Point(path, name, point["position"]!, ras)));
            }
        }
        return new LandmarkSet(landmarks);
    }

    public static void Write(LandmarkSet landmarks, string path, bool ras)
    {
        var points = new JsonArray();
        int n = 0;
        foreach (var l in landmarks.Landmarks)
        {
            n++;
            points.Add(new JsonObject
            {
                ["id"] = $"{n}",
                ["label"] = l.Name,
                ["position"] = l.PositionMm is WorldMm p ? Slicer.Coordinates(p, ras) : new JsonArray(0.0, 0.0, 0.0),
                ["positionStatus"] = l.IsPresent ? "defined" : "missing",
            });
        }
        var root = new JsonObject
        {
            ["@schema"] = Schema,
            ["markups"] = new JsonArray(new JsonObject
            {
                ["type"] = "Fiducial",
                ["coordinateSystem"] = ras ? "RAS" : "LPS",
                ["coordinateUnits"] = "mm",
                ["controlPoints"] = points,
            }),
        };
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

internal static class Slicer
{
    public static bool IsRas(string path, string system) => system.ToUpperInvariant() switch
    {
        "LPS" or "1" => false,
        "RAS" or "0" => true,
        _ => throw new InvalidFileException(path, $"coordinate system '{system}' is not supported (LPS and RAS are)"),
    };

    /// <summary>A field that must be text when it is there (a number or an object where text belongs is a damaged file).</summary>
    public static string? Text(string path, JsonObject node, string field) => node[field] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        var other => throw new InvalidFileException(path, $"'{field}' is {other.GetValueKind().ToString().ToLowerInvariant()}, where text is expected"),
    };

    /// <summary>A world point as the three coordinates a file in LPS or RAS stores.</summary>
    public static JsonArray Coordinates(WorldMm p, bool ras) => ras ? new JsonArray(-p.X, -p.Y, p.Z) : new JsonArray(p.X, p.Y, p.Z);

    public static WorldMm Point(string path, string name, JsonNode position, bool ras)
    {
        var values = (position as JsonArray ?? throw new InvalidFileException(path, $"landmark '{name}': position is not an array"))
            .Select(v => v is null ? double.NaN : v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : double.NaN).ToList();
        if (values.Count is not (2 or 3)) throw new InvalidFileException(path, $"landmark '{name}': position has {values.Count} values, expected 2 or 3");
        if (values.Any(v => !double.IsFinite(v))) throw new InvalidFileException(path, $"landmark '{name}': position is not made of finite numbers");
        double z = values.Count == 3 ? values[2] : 0;
        return ras ? WorldMm.FromRas(values[0], values[1], z) : new WorldMm(values[0], values[1], z);
    }
}
