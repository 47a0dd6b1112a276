using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using SkiaSharp;

namespace Landmarks.Evaluation.Drawing;

/// <summary>
/// A 2D greyscale view of an image (the image itself, a slice or a projection) with the map from
/// world mm to the view's pixels, so landmarks can be drawn where they belong.
/// </summary>
public sealed class ImagePanel
{
    private ImagePanel(float[] pixels, int width, int height, double pixelAspect, string title, Func<WorldMm, (double X, double Y)> worldToPixel)
    {
        Pixels = pixels;
        Width = width;
        Height = height;
        PixelAspect = pixelAspect;
        Title = title;
        WorldToPixel = worldToPixel;
    }

    public float[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }
    /// <summary>Physical height over width of one pixel, so the view can be drawn undistorted.</summary>
    public double PixelAspect { get; }
    public string Title { get; }
    public Func<WorldMm, (double X, double Y)> WorldToPixel { get; }

    /// <summary>A 2D image as it is.</summary>
    public static ImagePanel Of2D(Image image)
    {
        var g = image.Geometry;
        return new ImagePanel(image.Voxels, g.Size.X, g.Size.Y, g.SpacingMm.Y / g.SpacingMm.X, "",
            w => { var i = g.WorldToIndex(w); return (i.I, i.J); });
    }

    /// <summary>Maximum-intensity projection of a 3D image along grid axis <paramref name="axis"/>.</summary>
    public static ImagePanel MaximumProjection(Image image, int axis)
    {
        var g = image.Geometry;
        var size = g.Size;
        // The two remaining axes, in grid order: (x,y) for axis z, (x,z) for y, (y,z) for x.
        // Side views put k upwards, so a head scan shows superior at the top.
        int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;
        int width = size[u], height = size[v];
        var pixels = new float[width * height];
        Array.Fill(pixels, float.NegativeInfinity);
        for (int k = 0; k < size.Z; k++)
            for (int j = 0; j < size.Y; j++)
                for (int i = 0; i < size.X; i++)
                {
                    int[] index = [i, j, k];
                    int row = v == 2 ? height - 1 - index[v] : index[v];
                    int p = row * width + index[u];
                    float value = image.Voxels[image.Offset(i, j, k)];
                    if (value > pixels[p]) pixels[p] = value;
                }
        string title = axis switch { 0 => "projection along i", 1 => "projection along j", _ => "projection along k" };
        return new ImagePanel(pixels, width, height, g.SpacingMm[v] / g.SpacingMm[u], title, w =>
        {
            var idx = g.WorldToIndex(w);
            double[] c = [idx.I, idx.J, idx.K];
            return (c[u], v == 2 ? height - 1 - c[v] : c[v]);
        });
    }

    /// <summary>Greyscale bitmap, windowed to the 0.5-99.5 percentile range of the view.</summary>
    public SKBitmap ToBitmap()
    {
        var finite = Pixels.Where(float.IsFinite).ToArray();
        var stats = IntensityStatistics.Of(finite.Length > 0 ? finite : [0f]);
        double low = stats.Percentile0_5, high = Math.Max(stats.Percentile99_5, low + 1e-6);
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Gray8, SKAlphaType.Opaque));
        int rowBytes = bitmap.RowBytes;
        unsafe
        {
            byte* dest = (byte*)bitmap.GetPixels();
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                {
                    float value = Pixels[y * Width + x];
                    double t = float.IsFinite(value) ? (value - low) / (high - low) : 0;
                    dest[y * rowBytes + x] = (byte)Math.Clamp(Math.Round(t * 255), 0, 255);
                }
        }
        return bitmap;
    }
}
