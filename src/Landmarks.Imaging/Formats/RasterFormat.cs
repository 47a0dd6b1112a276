using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using SkiaSharp;

namespace Landmarks.Imaging.Formats;

/// <summary>
/// PNG, JPEG and BMP. These carry no origin or orientation, and a spacing only in PNG's pHYs chunk: the
/// spacing comes from <see cref="ImageReadOptions.SpacingMm"/>, else a PNG's pHYs (in metres), else
/// defaults to 1 mm with a warning; the origin is the first pixel at (0, 0), rows run along +y. Colour
/// is converted to grey (ITU-R BT.601 luma); 16-bit greyscale PNG keeps its 16 bits. Writes greyscale
/// PNG (8 or 16 bits) with its spacing in pHYs.
/// </summary>
public sealed class RasterFormat : IImageFormat
{
    public string Name => "PNG/JPEG/BMP";
    public IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp"];
    public bool CanWrite => true;

    public Image Read(string path, ImageReadOptions options)
    {
        var bytes = File.ReadAllBytes(path);
        float[] voxels;
        int width, height;
        if (PngCodec.HasSignature(bytes) && PngCodec.ReadHeader(path, bytes) is { BitDepth: 16, ColorType: 0 } png)
        {
            CheckSize(path, png.Width, png.Height, bytes);
            (width, height) = (png.Width, png.Height);
            voxels = PngCodec.DecodeGrey16(path, bytes, png);
        }
        else
        {
            (voxels, width, height) = DecodeWithSkia(path, bytes);
        }
        Vec3 spacing;
        if (options.SpacingMm is Vec3 given) spacing = new Vec3(given.X, given.Y, 1);
        else if (PngCodec.HasSignature(bytes) && PngCodec.ReadSpacingMm(bytes) is (double x, double y)) spacing = new Vec3(x, y, 1);
        else
        {
            spacing = Vec3.One;
            options.Warn?.Invoke($"{path}: the file carries no pixel spacing; assuming 1 mm (give the spacing to override)");
        }
        return new Image(ImageGeometry.Simple(new GridSize(width, height, 1), spacing), voxels);
    }

    /// <summary>Largest picture decoded (about 11600 pixels square): decoding takes 8 bytes a pixel, a gigabyte at this size.</summary>
    public const long MaxPixels = 1L << 27;

    /// <summary>Refuses a size no picture of this file's length can hold, before anything that size is allocated: deflate
    /// (PNG) packs at most about 1032 bytes into one, JPEG needs at least 2 bits per 8x8 block, RLE bitmaps 2 bytes per
    /// run of at most 255 pixels.</summary>
    private static void CheckSize(string path, int width, int height, byte[] file)
    {
        long pixels = (long)width * height;
        if (pixels > MaxPixels)
            throw new InvalidFileException(path, $"image of {width}x{height} pixels is larger than the {MaxPixels:N0} pixels pictures may have here");
        if (PngCodec.HasSignature(file))
        {
            if (PngCodec.ImageDataBytes(path, file) * 1032L < PngCodec.RawBytes(PngCodec.ReadHeader(path, file)))
                throw new InvalidFileException(path, $"PNG image data is too short for {width}x{height} pixels: the file is truncated or corrupt");
        }
        else if (pixels > file.LongLength * 512)
            throw new InvalidFileException(path, $"{file.Length} bytes cannot hold {width}x{height} pixels: the file is truncated or corrupt");
    }

    private static (float[] Voxels, int Width, int Height) DecodeWithSkia(string path, byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidFileException(path, $"not a readable {Path.GetExtension(path).TrimStart('.').ToUpperInvariant()} file (unrecognised or corrupt header)");
        var info = codec.Info;
        CheckSize(path, info.Width, info.Height, bytes);
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(target);
        var result = codec.GetPixels(target, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success))
            throw new InvalidFileException(path, result == SKCodecResult.IncompleteInput ? "file is truncated: image data ends early" : $"cannot decode image data ({result})");
        var pixels = bitmap.GetPixelSpan();
        var voxels = new float[(long)info.Width * info.Height];
        for (int n = 0; n < voxels.Length; n++)
        {
            byte r = pixels[4 * n], g = pixels[4 * n + 1], b = pixels[4 * n + 2];
            voxels[n] = r == g && g == b ? r : (float)Math.Round(0.299 * r + 0.587 * g + 0.114 * b, 3);
        }
        return (voxels, info.Width, info.Height);
    }

    public void Write(Image image, string path)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new InvalidFileException(path, "only PNG is written among raster formats (JPEG would lose data); use .png");
        if (image.Dimension != 2) throw new InvalidFileException(path, "PNG holds 2D images only; use .nii.gz, .mha or .nrrd for 3D");
        int bitDepth = PixelTypes.LosslessFor(image.Voxels) switch
        {
            PixelType.UInt8 => 8,
            PixelType.UInt16 => 16,
            PixelType.Int16 when image.Voxels.Min() >= 0 => 16,
            _ => throw new InvalidFileException(path, "PNG holds integers from 0 to 65535 only; these voxels do not fit: use .nii.gz, .mha or .nrrd"),
        };
        var spacing = image.Geometry.SpacingMm;
        AtomicFile.Write(path, stream => PngCodec.EncodeGrey(stream, image.Voxels, image.Size.X, image.Size.Y, bitDepth, spacing.X, spacing.Y));
    }
}
