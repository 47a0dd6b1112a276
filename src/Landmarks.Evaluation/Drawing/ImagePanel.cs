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
    private ImagePanel(float[] pixels, int width, int height, string title, WorldMm pixelOriginMm, Vec3 stepRightMm, Vec3 stepDownMm,
        Func<WorldMm, double>? distanceFromPlaneMm = null, double thicknessMm = double.PositiveInfinity, bool oriented = true)
    {
        Pixels = pixels;
        Width = width;
        Height = height;
        Title = title;
        PixelOriginMm = pixelOriginMm;
        StepRightMm = stepRightMm;
        StepDownMm = stepDownMm;
        _distanceFromPlaneMm = distanceFromPlaneMm ?? (_ => 0);
        _thicknessMm = thicknessMm;
        if (oriented) (RightWorld, DownWorld) = (stepRightMm.Normalized(), stepDownMm.Normalized());
    }

    private readonly Func<WorldMm, double> _distanceFromPlaneMm;
    private readonly double _thicknessMm;

    public float[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }
    public string Title { get; }

    /// <summary>Where the centre of pixel (0, 0) is in the world (for a projection, on its first plane).</summary>
    public WorldMm PixelOriginMm { get; }
    /// <summary>The world step from one pixel to the next rightwards, and downwards (orthogonal; their lengths are the pixel size).</summary>
    public Vec3 StepRightMm { get; }
    public Vec3 StepDownMm { get; }

    /// <summary>Physical height over width of one pixel, so the view can be drawn undistorted.</summary>
    public double PixelAspect => StepDownMm.Length / StepRightMm.Length;

    /// <summary>A world point's pixel coordinates (pixel centres at integers), projected onto the view's plane.</summary>
    public (double X, double Y) WorldToPixel(WorldMm world)
    {
        var d = world - PixelOriginMm;
        return (d.Dot(StepRightMm) / StepRightMm.Dot(StepRightMm), d.Dot(StepDownMm) / StepDownMm.Dot(StepDownMm));
    }

    /// <summary>The world point of pixel coordinates, on the view's plane.</summary>
    public WorldMm PixelToWorld(double x, double y) => PixelOriginMm + StepRightMm * x + StepDownMm * y;

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
        return new ImagePanel(image.Voxels, g.Size.X, g.Size.Y, "", g.IndexToWorld(new VoxelIndex(0, 0, 0)),
            g.Direction.Column(0) * g.SpacingMm.X, g.Direction.Column(1) * g.SpacingMm.Y, oriented: false);
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
        var (origin, right, down) = Frame(g, axis, 0, height);
        return new ImagePanel(pixels, width, height, $"projection ({ViewName(g, axis)})", origin, right, down);
    }

    /// <summary>The slice of a 3D image across grid axis <paramref name="axis"/> nearest to <paramref name="throughMm"/>.</summary>
    public static ImagePanel Slice(Image image, int axis, WorldMm throughMm, string? title = null) =>
        Slice(image, axis, SlicesAcross(image.Geometry, axis, throughMm).Nearest, title);

    /// <summary>Slice <paramref name="slice"/> (grid index, clamped to the grid) of a 3D image across grid axis <paramref name="axis"/>.</summary>
    public static ImagePanel Slice(Image image, int axis, int slice, string? title = null)
    {
        var g = image.Geometry;
        var size = g.Size;
        var (u, v) = ViewAxes(axis);
        slice = Math.Clamp(slice, 0, size[axis] - 1);
        int width = size[u], height = size[v];
        var pixels = new float[width * height];
        // Walk the voxel array by strides: a slice is redrawn on every scroll of the review.
        long[] strides = [1, size.X, (long)size.X * size.Y];
        long start = strides[axis] * slice + (v == 2 ? strides[2] * (height - 1) : 0);
        long stepRow = v == 2 ? -strides[2] : strides[v];
        for (int b = 0; b < height; b++)
        {
            long offset = start + stepRow * b;
            for (int a = 0; a < width; a++, offset += strides[u])
                pixels[b * width + a] = image.Voxels[offset];
        }
        var normal = GridAxisWorld(g, axis);
        var (origin, right, down) = Frame(g, axis, slice, height);
        return new ImagePanel(pixels, width, height, title ?? $"{ViewName(g, axis)} slice {slice}", origin, right, down,
            p => (p - origin).Dot(normal), 0.75 * g.SpacingMm[axis]);
    }

    /// <summary>The world place of pixel (0, 0) and the steps right and down of a view across <paramref name="axis"/> at
    /// grid index <paramref name="slice"/> (side views put k upwards).</summary>
    private static (WorldMm Origin, Vec3 Right, Vec3 Down) Frame(ImageGeometry g, int axis, int slice, int height)
    {
        var (u, v) = ViewAxes(axis);
        var index = new double[3];
        index[axis] = slice;
        index[v] = v == 2 ? height - 1 : 0;
        var origin = g.IndexToWorld(new VoxelIndex(index[0], index[1], index[2]));
        var right = GridAxisWorld(g, u) * g.SpacingMm[u];
        var down = GridAxisWorld(g, v) * (v == 2 ? -g.SpacingMm[v] : g.SpacingMm[v]);
        return (origin, right, down);
    }

    /// <summary>The number of slices across <paramref name="axis"/>, and the slice nearest a world point.</summary>
    public static (int Count, int Nearest) SlicesAcross(ImageGeometry g, int axis, WorldMm throughMm)
    {
        var at = g.WorldToIndex(throughMm);
        int count = new[] { g.Size.X, g.Size.Y, g.Size.Z }[axis];
        return (count, Math.Clamp((int)Math.Round(new[] { at.I, at.J, at.K }[axis]), 0, count - 1));
    }

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

    /// <summary>The view with blocks of <paramref name="factor"/> x <paramref name="factor"/> pixels averaged into one
    /// (pixels past the last whole block dropped): a lighter picture of the same place, for a view shown small.</summary>
    public ImagePanel Reduced(int factor)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), "a reduction factor is at least 1");
        if (factor == 1) return this;
        int width = Math.Max(1, Width / factor), height = Math.Max(1, Height / factor);
        var pixels = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                int count = 0;
                for (int b = y * factor; b < Math.Min(Height, (y + 1) * factor); b++)
                    for (int a = x * factor; a < Math.Min(Width, (x + 1) * factor); a++, count++)
                        sum += Pixels[b * Width + a];
                pixels[y * width + x] = (float)(sum / count);
            }
        // The centre of a block is the middle of its pixels' centres.
        var origin = PixelOriginMm + (StepRightMm + StepDownMm) * ((factor - 1) / 2.0);
        return new ImagePanel(pixels, width, height, Title, origin, StepRightMm * factor, StepDownMm * factor,
            _distanceFromPlaneMm, _thicknessMm, RightWorld is not null);
    }

    /// <summary>The view's 0.5th and 99.5th intensity percentiles: the default window.</summary>
    public (double Low, double High) DefaultWindow()
    {
        var finite = Pixels.Where(float.IsFinite).ToArray();
        var stats = IntensityStatistics.Of(finite.Length > 0 ? finite : [0f]);
        return (stats.Percentile0_5, Math.Max(stats.Percentile99_5, stats.Percentile0_5 + 1e-6));
    }

    /// <summary>Greyscale bitmap, intensities from <paramref name="window"/>'s low (black) to high (white); the 0.5-99.5
    /// percentile range of the view by default.</summary>
    public SKBitmap ToBitmap((double Low, double High)? window = null)
    {
        var (low, high) = window ?? DefaultWindow();
        high = Math.Max(high, low + 1e-6);
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
