using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using SkiaSharp;

namespace Landmarks.Evaluation.Drawing;

/// <summary>One set of landmarks to draw, in one colour.</summary>
public sealed record MarkerLayer(LandmarkSet Landmarks, SKColor Color, string Legend);

/// <summary>
/// Draws landmarks over image panels (a 2D image, slices and projections of a 3D one), in rows. Each
/// landmark is a ring with its label: its name when short, else its number, placed where it overlaps
/// no other label or ring. A legend names the layers and the numbers; 3D panels carry orientation
/// letters (L/R, A/P, S/I) on their sides.
/// </summary>
public static class OverlayRenderer
{
    public static readonly SKColor Reference = new(0, 220, 0);
    public static readonly SKColor Prediction = new(255, 60, 60);
    public static readonly SKColor SecondObserver = new(60, 160, 255);

    /// <summary>Names up to this length label their ring; longer ones are numbered, the legend naming the number.</summary>
    public const int LongestLabel = 8;

    /// <summary>Largest panel side accepted, in pixels: beyond it a picture is gigabytes.</summary>
    public const int MaximumPanelSize = 8000;

    /// <summary>A 2D image as it is; a 3D image as three maximum-intensity projections.</summary>
    public static IReadOnlyList<ImagePanel> PanelsOf(Image image) => image.Dimension == 2
        ? [ImagePanel.Of2D(image)]
        : [ImagePanel.MaximumProjection(image, 2), ImagePanel.MaximumProjection(image, 1), ImagePanel.MaximumProjection(image, 0)];

    /// <summary>The three orthogonal slices of a 3D image through a point.</summary>
    public static IReadOnlyList<ImagePanel> SlicesThrough(Image image, WorldMm pointMm, string? title = null) =>
        [.. new[] { 2, 1, 0 }.Select(axis => ImagePanel.Slice(image, axis, pointMm, title is null ? null : $"{title}: {ImagePanel.ViewName(image.Geometry, axis)}"))];

    /// <param name="panelSizePx">Length of each panel's longer side in the picture.</param>
    /// <param name="columns">Panels per row (rows of a 3D picture hold its three views).</param>
    public static SKBitmap Render(IReadOnlyList<ImagePanel> panels, IReadOnlyList<MarkerLayer> layers, int panelSizePx, bool legend = true, int? columns = null)
    {
        if (panelSizePx < 16 || panelSizePx > MaximumPanelSize)
            throw new ArgumentException($"panel size must be between 16 and {MaximumPanelSize} pixels, got {panelSizePx}");
        var typeface = Fonts.Sans;
        int perRow = Math.Max(1, columns ?? panels.Count);
        var placed = panels.Select(p =>
        {
            double physicalHeight = p.Height * p.PixelAspect;
            double scale = panelSizePx / Math.Max(p.Width, physicalHeight);
            return (Panel: p, ScaleX: scale, ScaleY: scale * p.PixelAspect, W: (int)Math.Round(p.Width * scale), H: (int)Math.Round(physicalHeight * scale));
        }).ToList();
        var rows = placed.Chunk(perRow).ToList();
        var names = layers.SelectMany(l => l.Landmarks.Names).Distinct().ToList();
        int legendWidth = legend && typeface is not null ? 260 : 0;
        int gridWidth = rows.Max(r => r.Sum(p => p.W)), gridHeight = rows.Sum(r => r.Max(p => p.H));
        int width = gridWidth + legendWidth, height = Math.Max(gridHeight, legend ? 20 + 16 * (names.Count + layers.Count + 1) : 0);
        if ((long)width * height > 400_000_000) throw new ArgumentException($"a picture of {width}x{height} pixels is too large: choose a smaller panel size");
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        using var font = typeface is null ? null : new SKFont(typeface, Math.Max(11, panelSizePx / 70f));
        using var smallFont = typeface is null ? null : new SKFont(typeface, 12);
        float radius = Math.Max(4f, panelSizePx / 120f);
        int top = 0;
        foreach (var row in rows)
        {
            int left = 0;
            foreach (var (panel, scaleX, scaleY, w, h) in row)
            {
                using (var grey = panel.ToBitmap())
                using (var image = SKImage.FromBitmap(grey))
                    canvas.DrawImage(image, new SKRect(left, top, left + w, top + h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
                var markers = new List<Marker>();
                foreach (var layer in layers)
                    foreach (var landmark in layer.Landmarks.Landmarks)
                    {
                        if (landmark.PositionMm is not WorldMm p || !panel.Shows(p)) continue;
                        var (px, py) = panel.WorldToPixel(p);
                        // Voxel centres sit at integer indices: pixel x covers [x, x+1) in the bitmap.
                        markers.Add(new Marker(left + (float)((px + 0.5) * scaleX), top + (float)((py + 0.5) * scaleY), LabelOf(landmark.Name, names), layer.Color));
                    }
                DrawMarkers(canvas, markers, radius, font, new SKRect(left, top, left + w, top + h));
                if (font is not null) DrawFrameText(canvas, panel, font, new SKRect(left, top, left + w, top + h));
                left += w;
            }
            top += row.Max(p => p.H);
        }
        if (legendWidth > 0 && smallFont is not null) DrawLegend(canvas, layers, names, smallFont, gridWidth);
        return bitmap;
    }

    /// <summary>A landmark's label: its name when short, else its number in the legend.</summary>
    public static string LabelOf(string name, IReadOnlyList<string> names) => name.Length <= LongestLabel ? name : $"{IndexOf(names, name) + 1}";

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int n = 0; n < names.Count; n++) if (names[n] == name) return n;
        return -1;
    }

    private sealed record Marker(float X, float Y, string Label, SKColor Color);

    /// <summary>Rings, then labels placed greedily (top to bottom) at the first of several spots around their ring, at
    /// growing distance, that overlaps no ring, no other label and stays in the panel; a line joins a label set apart.</summary>
    private static void DrawMarkers(SKCanvas canvas, List<Marker> markers, float radius, SKFont? font, SKRect bounds)
    {
        var taken = markers.Select(m => new SKRect(m.X - radius, m.Y - radius, m.X + radius, m.Y + radius)).ToList();
        foreach (var m in markers)
        {
            using var ring = new SKPaint { Color = m.Color, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1.5f, radius / 3), IsAntialias = true };
            canvas.DrawCircle(m.X, m.Y, radius, ring);
        }
        if (font is null) return;
        foreach (var m in markers.OrderBy(m => m.Y).ThenBy(m => m.X))
        {
            float textWidth = font.MeasureText(m.Label), textHeight = font.Size;
            SKRect? chosen = null;
            bool apart = false;
            for (int step = 1; step <= 4 && chosen is null; step++)
            {
                float gap = radius * step + 2;
                foreach (var (dx, dy) in new[] { (gap, -gap - textHeight), (gap, gap), (-gap - textWidth, -gap - textHeight), (-gap - textWidth, gap),
                    (-textWidth / 2, -gap - textHeight), (-textWidth / 2, gap) })
                {
                    var rect = new SKRect(m.X + dx, m.Y + dy, m.X + dx + textWidth, m.Y + dy + textHeight);
                    if (!bounds.Contains(rect) || taken.Any(t => t.IntersectsWith(rect))) continue;
                    chosen = rect;
                    apart = step > 1;
                    break;
                }
            }
            var at = chosen ?? new SKRect(m.X + radius + 2, m.Y - radius - textHeight, m.X + radius + 2 + textWidth, m.Y - radius);
            taken.Add(at);
            using var text = new SKPaint { Color = m.Color, IsAntialias = true };
            if (apart)
            {
                using var line = new SKPaint { Color = m.Color.WithAlpha(160), StrokeWidth = 1, IsAntialias = true };
                canvas.DrawLine(m.X, m.Y, Math.Clamp(m.X, at.Left, at.Right), Math.Clamp(m.Y, at.Top, at.Bottom), line);
            }
            canvas.DrawText(m.Label, at.Left, at.Bottom - font.Size * 0.2f, font, text);
        }
    }

    /// <summary>The panel's title at the bottom left, and on a 3D view the anatomical direction each side faces.</summary>
    private static void DrawFrameText(SKCanvas canvas, ImagePanel panel, SKFont font, SKRect frame)
    {
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var letters = new SKPaint { Color = new SKColor(255, 220, 0), IsAntialias = true };
        if (panel.Title.Length > 0) canvas.DrawText(panel.Title, frame.Left + 6, frame.Bottom - 8, font, white);
        if (panel.RightWorld is not Vec3 right || panel.DownWorld is not Vec3 down) return;
        void Letter(string text, float x, float y) => canvas.DrawText(text, x - font.MeasureText(text) / 2, y + font.Size / 2.5f, font, letters);
        float pad = font.Size;
        Letter(ImagePanel.OrientationLetters(-right), frame.Left + pad, frame.MidY);
        Letter(ImagePanel.OrientationLetters(right), frame.Right - pad, frame.MidY);
        Letter(ImagePanel.OrientationLetters(-down), frame.MidX, frame.Top + pad);
        Letter(ImagePanel.OrientationLetters(down), frame.MidX, frame.Bottom - pad);
    }

    private static void DrawLegend(SKCanvas canvas, IReadOnlyList<MarkerLayer> layers, IReadOnlyList<string> names, SKFont font, int left)
    {
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        float y = 18;
        foreach (var layer in layers)
        {
            using var swatch = new SKPaint { Color = layer.Color, IsAntialias = true };
            canvas.DrawCircle(left + 14, y - 4, 5, swatch);
            canvas.DrawText(layer.Legend, left + 26, y, font, white);
            y += 16;
        }
        y += 8;
        for (int n = 0; n < names.Count; n++, y += 16)
            canvas.DrawText(names[n].Length <= LongestLabel ? names[n] : $"{n + 1,2}  {names[n]}", left + 10, y, font, white);
    }

    /// <summary>Writes a PNG; <paramref name="path"/> must end in .png.</summary>
    public static void SavePng(SKBitmap bitmap, string path)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new InvalidFileException(path, "pictures are written as PNG: name the file .png");
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }
}
