using Landmarks.Evaluation.Drawing;
using Landmarks.Evaluation.Metrics;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using SkiaSharp;

namespace Landmarks.Evaluation.Reports;

public sealed record GalleryItem(string Caption, byte[] Png);

/// <summary>Close-ups of single landmarks: reference, prediction and second observer over the image
/// around them (3D: the slice through the reference).</summary>
public static class Gallery
{
    public static GalleryItem Render(Image image, LandmarkError row, WorldMm? secondObserverMm, string caption, int sizePx = 280)
    {
        var centre = row.ReferenceMm ?? row.PredictedMm ?? throw new ArgumentException("nothing to show: neither reference nor prediction");
        double halfMm = Math.Max(10, 1.5 * (row.ErrorMm ?? 0) + 3);
        var g = image.Geometry;
        var c = g.WorldToIndex(centre);
        int HalfVoxels(int axis) => (int)Math.Ceiling(halfMm / g.SpacingMm[axis]);
        var start = ((int)Math.Round(c.I) - HalfVoxels(0), (int)Math.Round(c.J) - HalfVoxels(1), g.Dimension == 3 ? (int)Math.Round(c.K) : 0);
        var crop = image.Crop(start, new GridSize(2 * HalfVoxels(0) + 1, 2 * HalfVoxels(1) + 1, 1), image.Statistics().Min is var min ? (float)min : 0);

        LandmarkSet One(WorldMm? p) => new([new Landmark(row.Landmark, p)]);
        var layers = new List<MarkerLayer> { new(One(row.ReferenceMm), OverlayRenderer.Reference, "reference") };
        if (row.PredictedMm is not null) layers.Add(new(One(row.PredictedMm), OverlayRenderer.Prediction, "prediction"));
        if (secondObserverMm is not null) layers.Add(new(One(secondObserverMm), OverlayRenderer.SecondObserver, "second observer"));
        using var bitmap = OverlayRenderer.Render([ImagePanel.Of2D(crop)], layers, sizePx, legend: false);
        using var encoded = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
        return new GalleryItem(caption, encoded.ToArray());
    }
}
