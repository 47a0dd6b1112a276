using System.Text.Json;
using System.Text.Json.Serialization;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Datasets;

/// <summary>One annotated scan. Paths are relative to the manifest's folder (or absolute).</summary>
/// <param name="SpacingMm">Pixel spacing for images that carry none (PNG, JPEG, BMP); overrides the manifest's.</param>
public sealed record DatasetCase(
    string Id,
    string Image,
    string Landmarks,
    string? SecondObserver = null,
    double[]? SpacingMm = null);

/// <summary>
/// A dataset: landmark names (their order is the order everywhere) and cases. Stored as JSON,
/// in the spirit of nnU-Net's dataset.json.
/// </summary>
public sealed record DatasetManifest(
    string Name,
    IReadOnlyList<string> LandmarkNames,
    IReadOnlyList<DatasetCase> Cases,
    double[]? SpacingMm = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Folder that relative paths are resolved against; set when loaded or saved.</summary>
    [JsonIgnore]
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    public string Resolve(string relativeOrAbsolute) => Path.GetFullPath(Path.Combine(BaseDirectory, relativeOrAbsolute));

    public static DatasetManifest Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        DatasetManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"not a valid dataset manifest: {e.Message}", e);
        }
        if (manifest is null) throw new InvalidFileException(path, "not a valid dataset manifest: empty");
        manifest = manifest with { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))! };
        manifest.Validate(path);
        return manifest;
    }

    private void Validate(string path)
    {
        if (LandmarkNames is null || LandmarkNames.Count == 0) throw new InvalidFileException(path, "manifest lists no landmark names");
        if (Cases is null) throw new InvalidFileException(path, "manifest has no 'cases' list");
        if (LandmarkNames.Distinct().Count() != LandmarkNames.Count) throw new InvalidFileException(path, "landmark names are not unique");
        var duplicate = Cases.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidFileException(path, $"case id '{duplicate.Key}' appears {duplicate.Count()} times");
        foreach (var c in Cases)
        {
            if (string.IsNullOrWhiteSpace(c.Id) || string.IsNullOrWhiteSpace(c.Image) || string.IsNullOrWhiteSpace(c.Landmarks))
                throw new InvalidFileException(path, $"case '{c.Id}' needs an id, an image and a landmark file");
            if (SpacingOf(c) is Vec3 s && (!s.IsFinite || s.X <= 0 || s.Y <= 0 || s.Z <= 0))
                throw new InvalidFileException(path, $"case '{c.Id}': spacing must be positive");
        }
        if (SpacingMm is { Length: not (2 or 3) }) throw new InvalidFileException(path, "spacingMm needs 2 or 3 values");
    }

    public void Save(string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // Relative paths keep a dataset movable as a whole; across unrelated trees they only confuse.
        string TopFolder(string full) => full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        string Relative(string p) => TopFolder(Resolve(p)) == TopFolder(directory) ? Path.GetRelativePath(directory, Resolve(p)) : Resolve(p);
        var portable = this with
        {
            Cases = [.. Cases.Select(c => c with
            {
                Image = Relative(c.Image),
                Landmarks = Relative(c.Landmarks),
                SecondObserver = c.SecondObserver is null ? null : Relative(c.SecondObserver),
            })],
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(portable, Json) + "\n");
    }

    public Vec3? SpacingOf(DatasetCase c) => (c.SpacingMm ?? SpacingMm) is double[] s
        ? (s.Length is 2 or 3 ? Vec3.FromArray(s) with { Z = s.Length == 2 ? 1 : s[2] } : null)
        : null;

    public LoadedCase LoadCase(DatasetCase c, Action<string>? warn = null)
    {
        var image = ImageFile.Read(Resolve(c.Image), new ImageReadOptions(SpacingOf(c), warn));
        return new LoadedCase(c, image, ReadLandmarks(Resolve(c.Landmarks), image.Geometry),
            c.SecondObserver is null ? null : ReadLandmarks(Resolve(c.SecondObserver), image.Geometry));
    }

    /// <summary>A case's reference landmarks. The image is read only when they are in its pixels and its grid is not
    /// known without it (a PNG, JPEG or BMP with the manifest's spacing has a plain grid: first pixel at the origin).</summary>
    public LandmarkSet ReadReference(DatasetCase c) => ReadAnnotation(c.Landmarks, PixelGridReader(c));

    /// <summary>A case's reference and second observer, read as <see cref="ReadReference"/> reads the reference (the image
    /// at most once for both).</summary>
    public (LandmarkSet Reference, LandmarkSet SecondObserver) ReadBothObservers(DatasetCase c)
    {
        var grid = PixelGridReader(c);
        return (ReadAnnotation(c.Landmarks, grid),
            ReadAnnotation(c.SecondObserver ?? throw new ArgumentException($"case '{c.Id}' has no second observer"), grid));
    }

    private LandmarkSet ReadAnnotation(string relativePath, Lazy<ImageGeometry> pixelGrid)
    {
        string path = Resolve(relativePath);
        return ReadLandmarks(path, LandmarkFile.NeedsImageGrid(path) ? pixelGrid.Value : null);
    }

    private Lazy<ImageGeometry> PixelGridReader(DatasetCase c) => new(() =>
        SpacingOf(c) is Vec3 spacing && ImageFile.FormatOf(Resolve(c.Image)) is RasterFormat
            ? LandmarkFile.PixelGrid(spacing)
            : ImageFile.Read(Resolve(c.Image), new ImageReadOptions(SpacingOf(c))).Geometry);

    /// <summary>Reads a landmark file of this dataset, in the manifest's landmark order.</summary>
    /// <param name="pixelGrid">The image grid, for landmark files in pixels.</param>
    public LandmarkSet ReadLandmarks(string path, ImageGeometry? pixelGrid)
    {
        var set = LandmarkFile.Read(path, pixelGrid, LandmarkNames);
        try
        {
            return set.InOrder(LandmarkNames);
        }
        catch (ArgumentException e)
        {
            throw new InvalidFileException(path, e.Message, e);
        }
    }
}

public sealed record LoadedCase(DatasetCase Case, Image Image, LandmarkSet Reference, LandmarkSet? SecondObserver)
{
    public string Id => Case.Id;
}
