using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Tests;

namespace Landmarks.Review.Tests;

/// <summary>Images and predictions to review, made for each test: a 2D picture with non-square pixels and a rotated 3D
/// volume, each with landmark "A" (sure), "B" (doubtful) and "C" (called absent, no position).</summary>
internal sealed class ReviewScene : IDisposable
{
    public TempDirectory Directory { get; } = new();
    public string PredictionsPath => Directory.File("predictions.csv");
    public string OutputPath => Directory.File("reviewed.csv");
    public IReadOnlyList<ScanInput> Scans { get; }
    public Dictionary<string, Image> Images { get; } = [];

    public static readonly WorldMm A2D = new(50, 40, 0), B2D = new(80, 70, 0);

    public ReviewScene(int dimension)
    {
        var rows = new List<LandmarkPrediction>();
        var scans = new List<ScanInput>();
        foreach (string id in dimension == 2 ? new[] { "ceph-1", "ceph-2" } : ["skull-1"])
        {
            var image = dimension == 2 ? Picture() : Volume();
            string path = Directory.File(id + (dimension == 2 ? ".png" : ".nii.gz"));
            ImageFile.Write(image, path);
            Images[id] = ImageFile.Read(path);
            scans.Add(new ScanInput(id, path, null));
            var centre = image.Geometry.IndexToWorld(new VoxelIndex((image.Size.X - 1) / 2.0, (image.Size.Y - 1) / 2.0, (image.Size.Z - 1) / 2.0));
            var a = dimension == 2 ? A2D : centre + new Vec3(2, -3, 1);
            var b = dimension == 2 ? B2D : centre + new Vec3(-4, 2, -2);
            double sureness = id.EndsWith('1') ? 0.2 : 0.6;
            rows.Add(new LandmarkPrediction(id, "A", a, 0.95, true));
            rows.Add(new LandmarkPrediction(id, "B", b, sureness, true));
            rows.Add(new LandmarkPrediction(id, "C", null, 0.05, false));
        }
        PredictionCsv.Write(rows, PredictionsPath, dimension);
        Scans = scans;
    }

    /// <summary>640x480 pixels of 0.15 x 0.2 mm: a gradient with bright discs at the landmarks.</summary>
    private static Image Picture()
    {
        var g = ImageGeometry.Simple(new GridSize(640, 480, 1), new Vec3(0.15, 0.2, 1));
        var image = Image.Filled(g);
        for (int j = 0; j < 480; j++)
            for (int i = 0; i < 640; i++)
            {
                var p = g.IndexToWorld(new VoxelIndex(i, j, 0));
                double disc = Math.Min(p.DistanceTo(A2D), p.DistanceTo(B2D)) < 2 ? 120 : 0;
                image[i, j, 0] = (float)Math.Round(i / 8.0 + j / 10.0 + disc);
            }
        return image;
    }

    /// <summary>A 72x60x48 volume of 0.5 x 0.6 x 0.8 mm voxels, turned 25 degrees about the world z axis and placed
    /// away from the origin: a blob in noise-free gradient.</summary>
    private static Image Volume()
    {
        var g = new ImageGeometry(3, new GridSize(72, 60, 48), new Vec3(0.5, 0.6, 0.8), new WorldMm(-10, 20, 5), Matrix3.Rotation(2, 25 * Math.PI / 180));
        var image = Image.Filled(g);
        for (int k = 0; k < 48; k++)
            for (int j = 0; j < 60; j++)
                for (int i = 0; i < 72; i++)
                    image[i, j, k] = i + 2 * j + 3 * k + ((i - 36) * (i - 36) + (j - 30) * (j - 30) + (k - 24) * (k - 24) < 100 ? 200 : 0);
        return image;
    }

    public ReviewSession Open() => ReviewSession.Open(Scans, PredictionsPath, OutputPath);

    public void Dispose() => Directory.Dispose();
}
