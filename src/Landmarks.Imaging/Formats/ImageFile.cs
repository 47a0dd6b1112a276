using Landmarks.Imaging.Formats.Dicom;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>Reads and writes images, choosing the format by file name; a folder of DICOM slices of one series reads as a volume.</summary>
public static class ImageFile
{
    public static IReadOnlyList<IImageFormat> Formats { get; } =
    [
        new NiftiFormat(),
        new MetaImageFormat(),
        new NrrdFormat(),
        new RasterFormat(),
        new DicomFormat(),
    ];

    public static IEnumerable<string> Extensions => Formats.SelectMany(f => f.Extensions);

    public static IImageFormat? FormatOf(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        return Formats.FirstOrDefault(f => f.Extensions.Any(name.EndsWith));
    }

    /// <summary>The name of the format <see cref="Read"/> takes <paramref name="path"/> to be in.</summary>
    public static string FormatNameOf(string path) => Directory.Exists(path) ? "DICOM series" : FormatOf(path)?.Name ?? "unknown";

    /// <summary>An image file of a known format, or a folder holding the DICOM slices of one series.</summary>
    public static bool IsImagePath(string path) => Directory.Exists(path) ? DicomSeries.IsVolume(path) : FormatOf(path) is not null;

    /// <summary>The file name without its image extension (".nii.gz" counts as one); a folder's name.</summary>
    public static string Stem(string path)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (Directory.Exists(path)) return name;
        string? extension = Extensions.Where(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)).MaxBy(e => e.Length);
        return extension is null ? Path.GetFileNameWithoutExtension(name) : name[..^extension.Length];
    }

    public static Image Read(string path, ImageReadOptions? options = null)
    {
        if (Directory.Exists(path))
            return DicomSeries.FilesIn(path).Count > 0 ? Guarded(path, () => DicomSeries.Read(path))
                : throw new InvalidFileException(path, "is a folder without DICOM files, not an image (a folder reads as an image when it holds the DICOM slices of one series)");
        var format = FormatOf(path)
            ?? throw new InvalidFileException(path, $"unsupported image format (supported: {string.Join(", ", Extensions)}, or a folder of DICOM slices)");
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        return Guarded(path, () => format.Read(path, options ?? ImageReadOptions.Default));
    }

    /// <summary>Turns what readers throw on bad bytes into one line naming the file and the reason.</summary>
    private static Image Guarded(string path, Func<Image> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidFileException(path, "file is truncated", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidFileException(path, $"corrupt compressed data: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // Geometry constructors reject absurd values (zero spacing, NaN origin) with ArgumentException.
            throw new InvalidFileException(path, e.Message, e);
        }
    }

    public static void Write(Image image, string path)
    {
        var format = FormatOf(path)
            ?? throw new InvalidFileException(path, $"unsupported image format (supported: {string.Join(", ", Extensions)})");
        if (!format.CanWrite) throw new InvalidFileException(path, $"writing {format.Name} is not supported");
        format.Write(image, path);
    }
}
