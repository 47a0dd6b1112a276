using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using SkiaSharp;

namespace Landmarks.Evaluation.Drawing;

/// <summary>One set of landmarks to draw, in one colour.</summary>
public sealed record MarkerLayer(LandmarkSet Landmarks, SKColor Color, string Legend);

/// <summary>
/// Draws landmarks over an image: a 2D image as it is; a 3D image as three maximum-intensity
/// projections side by side. Each landmark is a ring with its number; a legend names the numbers.
/// </summary>
public static class OverlayRenderer
{
    public static readonly SKColor Reference = new(0, 220, 0);
    public static readonly SKColor Prediction = new(255, 60, 60);
    public static readonly SKColor SecondObserver = new(60, 160, 255);

    public static IReadOnlyList<ImagePanel> PanelsOf(Image image) => image.Dimension == 2
        ? [ImagePanel.Of2D(image)]
        : [ImagePanel.MaximumProjection(image, 2), ImagePanel.MaximumProjection(image, 1), ImagePanel.MaximumProjection(image, 0)];

    /// <param name="panelSizePx">Length of each panel's longer side in the picture.</param>
    public static SKBitmap Render(IReadOnlyList<ImagePanel> panels, IReadOnlyList<MarkerLayer> layers, int panelSizePx, bool legend = true)
    {
        var typeface = Fonts.Sans;
        var placed = panels.Select(p =>
        {
            double physicalHeight = p.Height * p.PixelAspect;
            double scale = panelSizePx / Math.Max(p.Width, physicalHeight);
            return (Panel: p, ScaleX: scale, ScaleY: scale * p.PixelAspect, W: (int)Math.Round(p.Width * scale), H: (int)Math.Round(physicalHeight * scale));
        }).ToList();
        var names = layers.SelectMany(l => l.Landmarks.Names).Distinct().ToList();
        int legendWidth = legend && typeface is not null ? 260 : 0;
        int width = placed.Sum(p => p.W) + legendWidth, height = Math.Max(placed.Max(p => p.H), legend ? 20 + 16 * (names.Count + layers.Count + 1) : 0);
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        using var font = typeface is null ? null : new SKFont(typeface, Math.Max(11, panelSizePx / 70f));
        using var smallFont = typeface is null ? null : new SKFont(typeface, 12);
        int left = 0;
        foreach (var (panel, scaleX, scaleY, w, h) in placed)
        {
            using (var grey = panel.ToBitmap())
            using (var image = SKImage.FromBitmap(grey))
                canvas.DrawImage(image, new SKRect(left, 0, left + w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            float radius = Math.Max(4f, panelSizePx / 120f);
            foreach (var layer in layers)
            {
                using var ring = new SKPaint { Color = layer.Color, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1.5f, radius / 3), IsAntialias = true };
                using var text = new SKPaint { Color = layer.Color, IsAntialias = true };
                foreach (var landmark in layer.Landmarks.Landmarks)
                {
                    if (landmark.PositionMm is not WorldMm p) continue;
                    var (px, py) = panel.WorldToPixel(p);
                    // Voxel centres sit at integer indices: pixel x covers [x, x+1) in the bitmap.
                    float cx = left + (float)((px + 0.5) * scaleX), cy = (float)((py + 0.5) * scaleY);
                    canvas.DrawCircle(cx, cy, radius, ring);
                    if (font is not null)
                        canvas.DrawText($"{names.IndexOf(landmark.Name) + 1}", cx + radius + 2, cy - radius, font, text);
                }
            }
            if (font is not null && panel.Title.Length > 0)
                using (var titlePaint = new SKPaint { Color = SKColors.White, IsAntialias = true })
                    canvas.DrawText(panel.Title, left + 6, h - 8, font, titlePaint);
            left += w;
        }
        if (legendWidth > 0 && smallFont is not null)
        {
            using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
            float y = 18;
            foreach (var layer in layers)
            {
                using var swatch = new SKPaint { Color = layer.Color, IsAntialias = true };
                canvas.DrawCircle(left + 14, y - 4, 5, swatch);
                canvas.DrawText(layer.Legend, left + 26, y, smallFont, white);
                y += 16;
            }
            y += 8;
            for (int n = 0; n < names.Count; n++, y += 16)
                canvas.DrawText($"{n + 1}  {names[n]}", left + 10, y, smallFont, white);
        }
        return bitmap;
    }

    public static void SavePng(SKBitmap bitmap, string path)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }
}
