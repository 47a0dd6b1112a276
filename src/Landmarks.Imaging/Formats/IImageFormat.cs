using Landmarks.Imaging.Images;

namespace Landmarks.Imaging.Formats;

/// <summary>One image file format. Readers validate the header before allocating voxel memory and
/// throw <see cref="IO.InvalidFileException"/> for anything they cannot read.</summary>
public interface IImageFormat
{
    string Name { get; }

    /// <summary>Lower-case file name endings, with the dot: ".nii.gz".</summary>
    IReadOnlyList<string> Extensions { get; }

    bool CanWrite { get; }

    Image Read(string path, ImageReadOptions options);

    /// <summary>Writes atomically (temporary file and rename).</summary>
    void Write(Image image, string path);
}

/// <param name="SpacingMm">Pixel spacing for formats that carry none (PNG, JPEG, BMP); ignored by the others.</param>
/// <param name="Warn">Receives warnings, such as a spacing that defaulted to 1 mm.</param>
public sealed record ImageReadOptions(Geometry.Vec3? SpacingMm = null, Action<string>? Warn = null)
{
    public static ImageReadOptions Default { get; } = new();
}
