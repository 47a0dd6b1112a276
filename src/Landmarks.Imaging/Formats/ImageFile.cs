using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>Reads and writes images, choosing the format by file name.</summary>
public static class ImageFile
{
    public static IReadOnlyList<IImageFormat> Formats { get; } =
    [
        new NiftiFormat(),
        new MetaImageFormat(),
        new NrrdFormat(),
        new RasterFormat(),
    ];

    public static IEnumerable<string> Extensions => Formats.SelectMany(f => f.Extensions);

    public static IImageFormat? FormatOf(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        return Formats.FirstOrDefault(f => f.Extensions.Any(name.EndsWith));
    }

    public static bool IsImagePath(string path) => FormatOf(path) is not null;

    /// <summary>The file name without its image extension (".nii.gz" counts as one).</summary>
    public static string Stem(string path)
    {
        string name = Path.GetFileName(path);
        string? extension = Extensions.Where(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)).MaxBy(e => e.Length);
        return extension is null ? Path.GetFileNameWithoutExtension(name) : name[..^extension.Length];
    }

    public static Image Read(string path, ImageReadOptions? options = null)
    {
        var format = FormatOf(path)
            ?? throw new InvalidFileException(path, $"unsupported image format (supported: {string.Join(", ", Extensions)})");
        if (Directory.Exists(path)) throw new InvalidFileException(path, "is a folder, not an image file");
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        try
        {
            return format.Read(path, options ?? ImageReadOptions.Default);
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
