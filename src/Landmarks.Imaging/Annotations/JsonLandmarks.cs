using System.Text.Json;
using System.Text.Json.Nodes;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>
/// Our JSON: <c>{"coordinateSystem": "LPS", "units": "mm", "landmarks": [{"name": "sella", "position": [x, y, z]}]}</c>;
/// <c>"position": null</c> marks an absent landmark. "RAS" is accepted too.
/// </summary>
internal static class JsonLandmarks
{
    public static LandmarkSet Read(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidFileException(path, "expected a JSON object");
        bool ras = Slicer.IsRas(path, Slicer.Text(path, root, "coordinateSystem") ?? "LPS");
        if (Slicer.Text(path, root, "units") is string units && units != "mm") throw new InvalidFileException(path, $"units '{units}' are not supported (mm are)");
        var items = root["landmarks"] as JsonArray ?? throw new InvalidFileException(path, "no 'landmarks' array");
        var landmarks = new List<Landmark>();
        foreach (var item in items)
        {
            var entry = item as JsonObject ?? throw new InvalidFileException(path, $"landmark {landmarks.Count + 1} is not an object");
            string name = Slicer.Text(path, entry, "name") ?? throw new InvalidFileException(path, $"landmark {landmarks.Count + 1} has no name");
            var position = entry["position"];
            landmarks.Add(position is null ? Landmark.Absent(name) : new Landmark(name, Slicer.Point(path, name, position, ras)));
        }
        return new LandmarkSet(landmarks);
    }

    public static void Write(LandmarkSet landmarks, string path, bool ras)
    {
        var root = new JsonObject
        {
            ["coordinateSystem"] = ras ? "RAS" : "LPS",
            ["units"] = "mm",
            ["landmarks"] = new JsonArray([.. landmarks.Landmarks.Select(l => (JsonNode)new JsonObject
            {
                ["name"] = l.Name,
                ["position"] = l.PositionMm is WorldMm p ? Slicer.Coordinates(p, ras) : null,
            })]),
        };
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
