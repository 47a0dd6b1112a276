using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Annotations;

/// <summary>
/// Reads and writes landmark files, choosing the format by name: <c>.csv</c> (name,x,y[,z] in world
/// mm), <c>.json</c> (ours), <c>.mrk.json</c> (3D Slicer markups), <c>.fcsv</c> (Slicer fiducials),
/// <c>.txt</c> (ISBI 2015: one "x,y" pixel line per landmark; needs the image grid and the names).
/// </summary>
public static class LandmarkFile
{
    public static IReadOnlyList<string> Extensions { get; } = [".mrk.json", ".json", ".csv", ".fcsv", ".txt"];

    public static bool IsLandmarkPath(string path) => Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>The file name without its landmark extension (".mrk.json" counts as one).</summary>
    public static string Stem(string path)
    {
        string name = Path.GetFileName(path);
        string? extension = Extensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        return extension is null ? Path.GetFileNameWithoutExtension(name) : name[..^extension.Length];
    }

    /// <summary>A short name of the landmark format <see cref="Read"/> takes the file to be in.</summary>
    public static string FormatNameOf(string path) => Lower(path) switch
    {
        var p when p.EndsWith(".mrk.json") => "3D Slicer markups (.mrk.json)",
        var p when p.EndsWith(".json") => "landmarks JSON",
        var p when p.EndsWith(".fcsv") => "3D Slicer fiducials (.fcsv)",
        var p when p.EndsWith(".csv") => "CSV (name,x,y,z; world LPS mm)",
        var p when p.EndsWith(".txt") => "ISBI 2015 text (pixels)",
        _ => "unknown",
    };

    /// <summary>True when the format stores pixel positions, which need the image grid and the names to be read.</summary>
    public static bool NeedsImageGrid(string path) => path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);

    /// <param name="pixelGrid">The image grid, for pixel-based formats (ISBI .txt).</param>
    /// <param name="names">Landmark names, for formats that store none (ISBI .txt).</param>
    public static LandmarkSet Read(string path, ImageGeometry? pixelGrid = null, IReadOnlyList<string>? names = null)
    {
        if (!IsLandmarkPath(path)) throw new InvalidFileException(path, $"unsupported landmark format (supported: {string.Join(", ", Extensions)})");
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        try
        {
            return Lower(path) switch
            {
                var p when p.EndsWith(".mrk.json") => SlicerMarkups.Read(path),
                var p when p.EndsWith(".json") => JsonLandmarks.Read(path),
                var p when p.EndsWith(".csv") => CsvLandmarks.Read(path),
                var p when p.EndsWith(".fcsv") => FcsvLandmarks.Read(path),
                _ => IsbiLandmarks.Read(path,
                    pixelGrid ?? throw new InvalidFileException(path, "ISBI .txt landmarks are in pixels: the image grid is needed to read them (use a dataset manifest)"),
                    names ?? throw new InvalidFileException(path, "ISBI .txt landmarks have no names: the landmark names are needed to read them (use a dataset manifest)")),
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidFileException(path, e.Message, e);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidFileException(path, $"invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads a landmark file on its own, without an image: ISBI .txt pixels are placed on a grid of
    /// <paramref name="pixelSpacingMm"/> (required for them) with its first pixel at the origin, named
    /// <paramref name="names"/> or 1..N.</summary>
    public static LandmarkSet ReadAlone(string path, Vec3? pixelSpacingMm = null, IReadOnlyList<string>? names = null)
    {
        if (!NeedsImageGrid(path)) return Read(path);
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        var spacing = pixelSpacingMm ?? throw new InvalidFileException(path, "ISBI .txt landmarks are in pixels: give the pixel spacing (--spacing)");
        names ??= [.. Enumerable.Range(1, File.ReadLines(path).Count(l => l.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length >= 2)).Select(n => $"{n}")];
        return Read(path, PixelGrid(spacing), names);
    }

    /// <summary>The grid of a picture with no geometry of its own: first pixel at the origin, axes along x and y.</summary>
    public static ImageGeometry PixelGrid(Vec3 spacingMm) => ImageGeometry.Simple(new GridSize(1, 1, 1), spacingMm with { Z = 1 });

    /// <param name="ras">Write RAS coordinates (.mrk.json, .fcsv, .json); LPS otherwise. CSV is always LPS.</param>
    public static void Write(LandmarkSet landmarks, string path, ImageGeometry? pixelGrid = null, bool ras = false)
    {
        if (ras && !(Lower(path).EndsWith(".json") || Lower(path).EndsWith(".fcsv")))
            throw new InvalidFileException(path, "RAS coordinates are written to .mrk.json, .json and .fcsv; CSV is world LPS mm, ISBI .txt is pixels");
        switch (Lower(path))
        {
            case var p when p.EndsWith(".mrk.json"): SlicerMarkups.Write(landmarks, path, ras); break;
            case var p when p.EndsWith(".json"): JsonLandmarks.Write(landmarks, path, ras); break;
            case var p when p.EndsWith(".csv"): CsvLandmarks.Write(landmarks, path); break;
            case var p when p.EndsWith(".fcsv"): FcsvLandmarks.Write(landmarks, path, ras); break;
            case var p when p.EndsWith(".txt"):
                IsbiLandmarks.Write(landmarks, path, pixelGrid ?? throw new InvalidFileException(path, "ISBI .txt landmarks are in pixels: the image grid is needed to write them"));
                break;
            default: throw new InvalidFileException(path, $"unsupported landmark format (supported: {string.Join(", ", Extensions)})");
        }
    }

    private static string Lower(string path) => path.ToLowerInvariant();
}
