using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using SkiaSharp;

namespace Landmarks.Evaluation.Drawing;

/// <summary>
/// A 2D greyscale view of an image (the image itself, a slice or a projection) with the map from
/// world mm to the view's pixels, so landmarks can be drawn where they belong. Views of a 3D image
/// know which world directions their sides face, for orientation letters.
/// </summary>
public sealed class ImagePanel
{
    private ImagePanel(float[] pixels, int width, int height, double pixelAspect, string title, Func<WorldMm, (double X, double Y)> worldToPixel,
        Func<WorldMm, double>? distanceFromPlaneMm = null, double thicknessMm = double.PositiveInfinity, Vec3? rightWorld = null, Vec3? downWorld = null)
    {
        Pixels = pixels;
        Width = width;
        Height = height;
        PixelAspect = pixelAspect;
        Title = title;
        WorldToPixel = worldToPixel;
        _distanceFromPlaneMm = distanceFromPlaneMm ?? (_ => 0);
        _thicknessMm = thicknessMm;
        RightWorld = rightWorld;
        DownWorld = downWorld;
    }

    private readonly Func<WorldMm, double> _distanceFromPlaneMm;
    private readonly double _thicknessMm;

    public float[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }
    /// <summary>Physical height over width of one pixel, so the view can be drawn undistorted.</summary>
    public double PixelAspect { get; }
    public string Title { get; }
    public Func<WorldMm, (double X, double Y)> WorldToPixel { get; }
    /// <summary>World direction (LPS) of the view's rightward and downward pixel axes; null for 2D images, whose
    /// world axes say nothing of the patient.</summary>
    public Vec3? RightWorld { get; }
    public Vec3? DownWorld { get; }

    /// <summary>Whether a landmark belongs on this view: always on a 2D image or a projection; on a slice, when it lies
    /// within the slice's thickness of its plane.</summary>
    public bool Shows(WorldMm point) => Math.Abs(_distanceFromPlaneMm(point)) <= _thicknessMm;

    /// <summary>A 2D image as it is.</summary>
    public static ImagePanel Of2D(Image image)
    {
        var g = image.Geometry;
        return new ImagePanel(image.Voxels, g.Size.X, g.Size.Y, g.SpacingMm.Y / g.SpacingMm.X, "",
            w => { var i = g.WorldToIndex(w); return (i.I, i.J); });
    }

    /// <summary>The grid axes a view along <paramref name="axis"/> shows, in grid order: (i,j) along k, (i,k) along j,
    /// (j,k) along i. Side views put k upwards, so a head scan shows superior at the top.</summary>
    private static (int U, int V) ViewAxes(int axis) => (axis == 0 ? 1 : 0, axis == 2 ? 1 : 2);

    private static Vec3 GridAxisWorld(ImageGeometry g, int axis) => g.Direction.Column(axis);

    /// <summary>Maximum-intensity projection of a 3D image along grid axis <paramref name="axis"/>.</summary>
    public static ImagePanel MaximumProjection(Image image, int axis)
    {
        var g = image.Geometry;
        var size = g.Size;
        var (u, v) = ViewAxes(axis);
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
        return new ImagePanel(pixels, width, height, g.SpacingMm[v] / g.SpacingMm[u], $"projection ({ViewName(g, axis)})", Mapper(g, u, v, height),
            rightWorld: GridAxisWorld(g, u), downWorld: v == 2 ? -GridAxisWorld(g, v) : GridAxisWorld(g, v));
    }

    /// <summary>The slice of a 3D image across grid axis <paramref name="axis"/> nearest to <paramref name="throughMm"/>.</summary>
    public static ImagePanel Slice(Image image, int axis, WorldMm throughMm, string? title = null)
    {
        var g = image.Geometry;
        var size = g.Size;
        var (u, v) = ViewAxes(axis);
        var at = g.WorldToIndex(throughMm);
        int slice = Math.Clamp((int)Math.Round(new[] { at.I, at.J, at.K }[axis]), 0, size[axis] - 1);
        int width = size[u], height = size[v];
        var pixels = new float[width * height];
        for (int b = 0; b < height; b++)
            for (int a = 0; a < width; a++)
            {
                int[] index = new int[3];
                index[axis] = slice;
                index[u] = a;
                index[v] = v == 2 ? height - 1 - b : b;
                pixels[b * width + a] = image[index[0], index[1], index[2]];
            }
        var normal = GridAxisWorld(g, axis);
        var planePoint = g.IndexToWorld(new VoxelIndex(axis == 0 ? slice : 0, axis == 1 ? slice : 0, axis == 2 ? slice : 0));
        return new ImagePanel(pixels, width, height, g.SpacingMm[v] / g.SpacingMm[u], title ?? $"{ViewName(g, axis)} slice {slice}", Mapper(g, u, v, height),
            p => (p - planePoint).Dot(normal), 0.75 * g.SpacingMm[axis], GridAxisWorld(g, u), v == 2 ? -GridAxisWorld(g, v) : GridAxisWorld(g, v));
    }

    private static Func<WorldMm, (double X, double Y)> Mapper(ImageGeometry g, int u, int v, int height) => w =>
    {
        var idx = g.WorldToIndex(w);
        double[] c = [idx.I, idx.J, idx.K];
        return (c[u], v == 2 ? height - 1 - c[v] : c[v]);
    };

    /// <summary>The anatomical name of a view across a grid axis, from the world direction of that axis (LPS):
    /// axial across superior-inferior, coronal across anterior-posterior, sagittal across left-right.</summary>
    public static string ViewName(ImageGeometry g, int axis)
    {
        var n = GridAxisWorld(g, axis);
        double x = Math.Abs(n.X), y = Math.Abs(n.Y), z = Math.Abs(n.Z);
        return z >= x && z >= y ? "axial" : y >= x ? "coronal" : "sagittal";
    }

    /// <summary>The letters of the anatomical directions a world direction (LPS) points to, strongest first: "L", "PS", ...
    /// Components under a third of the strongest are left out.</summary>
    public static string OrientationLetters(Vec3 direction)
    {
        (double Weight, char Letter)[] parts =
        [
            (Math.Abs(direction.X), direction.X >= 0 ? 'L' : 'R'),
            (Math.Abs(direction.Y), direction.Y >= 0 ? 'P' : 'A'),
            (Math.Abs(direction.Z), direction.Z >= 0 ? 'S' : 'I'),
        ];
        double strongest = parts.Max(p => p.Weight);
        return new string([.. parts.Where(p => p.Weight >= strongest / 3).OrderByDescending(p => p.Weight).Select(p => p.Letter)]);
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
