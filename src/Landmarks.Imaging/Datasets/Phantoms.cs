using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Imaging.Datasets;

/// <summary>
/// Synthetic scans with known landmarks, for the demo and for tests that must always run: a
/// skull-like elliptical shell with a "crown" knob, an "eye" sphere, a "jaw" bar and a "nose" bump,
/// each varying in shape, pose (rotation, scale, shift), intensity, blur and noise. Every landmark
/// sits on a feature the image shows (a point on the smooth shell alone would not be determined by
/// the image: in 3D, wherever two semi-axes are alike). 2D images are 160x160 pixels of 0.5 mm; 3D
/// volumes are 48³ voxels of 1 mm.
/// </summary>
public static class Phantoms
{
    public static IReadOnlyList<string> LandmarkNames { get; } = ["crown", "eye", "jaw angle", "chin", "nose tip"];

    public sealed record Phantom(Image Image, LandmarkSet Landmarks);

    /// <summary>The in-plane (2D) or isotropic (3D) spacing of the demo's phantoms, in mm.</summary>
    public static double SpacingMm(int dimension) => dimension == 3 ? 1 : 0.5;

    /// <param name="size">The grid, for scans of another size (the phantom grows with the field of view); the demo's by default.</param>
    /// <param name="spacingMm">Its spacing.</param>
    public static Phantom Generate(int dimension, Random rng, GridSize? size = null, Vec3? spacingMm = null)
    {
        double U(double range) => (2 * rng.NextDouble() - 1) * range;
        bool is3D = dimension == 3;
        var grid = size ?? (is3D ? new GridSize(48, 48, 48) : new GridSize(160, 160, 1));
        var spacing = spacingMm ?? (is3D ? Vec3.One * SpacingMm(3) : new Vec3(SpacingMm(2), SpacingMm(2), 1));
        // Shape in the phantom's own frame (mm, centred on the shell), in proportion to the smallest side of the field of view.
        double fieldMm = Math.Min(grid.X * spacing.X, Math.Min(grid.Y * spacing.Y, is3D ? grid.Z * spacing.Z : double.PositiveInfinity));
        double scale = (is3D ? 0.55 : 1) * fieldMm / (is3D ? 48 : 80);
        double a = (28 + U(3)) * scale, b = (23 + U(3)) * scale, c = (20 + U(2)) * scale, shell = 2.5 * scale;
        var eye = new Vec3(12 + U(2), -6 + U(2), is3D ? 6 + U(2) : 0) * scale;
        double eyeRadius = (4 + U(0.8)) * scale;
        var jawStart = new Vec3(-12 + U(2), 13 + U(2), 0) * scale;
        var chin = new Vec3(15 + U(2), 19 + U(2), 0) * scale;
        var nose = new Vec3(a + 1.5 * scale, 3 * scale + U(1.5) * scale, 0);
        double noseRadius = 2.2 * scale;
        // The crown knob stands out of the shell near its top (its centre one unit of the phantom's scale outside the surface).
        var crownDirection = new Vec3(U(0.25), -1, is3D ? U(0.25) : 0);
        double toSurface = 1 / Math.Sqrt(crownDirection.X * crownDirection.X / (a * a) + 1 / (b * b) + crownDirection.Z * crownDirection.Z / (c * c));
        var crown = crownDirection * (toSurface + scale / crownDirection.Length);
        double crownRadius = 2 * scale;

        // Pose: rotation (about z in 2D, every axis in 3D), scale and shift.
        double Radians(double d) => d * Math.PI / 180;
        var rotation = Matrix3.Rotation(2, Radians(U(25)));
        if (is3D) rotation = rotation * Matrix3.Rotation(0, Radians(U(15))) * Matrix3.Rotation(1, Radians(U(15)));
        double zoom = 1 + U(0.1);
        var pose = rotation * Matrix3.Diagonal(new Vec3(zoom, zoom, zoom));
        var inverse = pose.Inverse();

        var geometry = ImageGeometry.Simple(grid, spacing);
        double shift = fieldMm / (is3D ? 48 : 80);
        var centre = geometry.IndexToWorld(new VoxelIndex((grid.X - 1) / 2.0, (grid.Y - 1) / 2.0, (grid.Z - 1) / 2.0)) + new Vec3(U(8), U(8), is3D ? U(6) : 0) * shift;
        WorldMm ToWorld(Vec3 local) => centre + pose * local;

        double background = 0.1 + U(0.05), tissue = 0.35 + U(0.1), bone = 0.9 + U(0.1), eyeValue = 0.6 + U(0.15);
        double Edge(double signedDistance) => 1 / (1 + Math.Exp(signedDistance / (0.35 * scale)));  // soft, anti-aliased edges
        var image = Image.Filled(geometry);
        Parallel.For(0, grid.Z, k =>
        {
            for (int j = 0; j < grid.Y; j++)
                for (int i = 0; i < grid.X; i++)
                {
                    var p = inverse * (geometry.IndexToWorld(new VoxelIndex(i, j, k)) - centre);
                    double radial = Math.Sqrt(p.X * p.X / (a * a) + p.Y * p.Y / (b * b) + (is3D ? p.Z * p.Z / (c * c) : 0));
                    double outside = (radial - 1) * Math.Min(a, b);  // approximate distance to the shell's outer surface
                    double value = background + (tissue - background) * Edge(outside);
                    value += (bone - tissue) * Edge(Math.Abs(outside + shell / 2) - shell / 2);
                    value += (eyeValue - tissue) * Edge((p - eye).Length - eyeRadius);
                    value += (bone - tissue) * Edge(SegmentDistance(p, jawStart, chin) - 1.6 * scale);
                    value += (bone - tissue) * Edge((p - nose).Length - noseRadius);
                    value += (bone - tissue) * Edge((p - crown).Length - crownRadius);
                    image[i, j, k] = (float)value;
                }
        });
        image = GaussianFilter.Smooth(image, 0.3 * scale);
        double noise = 0.02 + 0.03 * rng.NextDouble();
        for (int n = 0; n < image.Voxels.Length; n++)
            image.Voxels[n] = (float)Math.Round(1000 * (image.Voxels[n] + noise * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())));

        Vec3 Flat(Vec3 v) => is3D ? v : v with { Z = 0 };
        var landmarks = new LandmarkSet(new[] { crown, eye, jawStart, chin, nose }
            .Select((local, n) => new Landmark(LandmarkNames[n], ToWorld(Flat(local)))));
        return new Phantom(image, landmarks);
    }

    private static double SegmentDistance(Vec3 p, Vec3 start, Vec3 end)
    {
        var along = end - start;
        double t = Math.Clamp((p - start).Dot(along) / along.Dot(along), 0, 1);
        return (p - (start + along * t)).Length;
    }

    /// <summary>Writes <paramref name="count"/> phantoms (NIfTI images, CSV landmarks) and a manifest; returns the manifest.</summary>
    public static DatasetManifest WriteDataset(string directory, string name, int dimension, int count, int seed)
    {
        Directory.CreateDirectory(directory);
        var rng = new Random(seed);
        var cases = new List<DatasetCase>();
        for (int n = 0; n < count; n++)
        {
            var phantom = Generate(dimension, rng);
            string id = $"{name}-{n:000}";
            string imagePath = Path.Combine(directory, id + ".nii.gz"), landmarkPath = Path.Combine(directory, id + ".csv");
            ImageFile.Write(phantom.Image, imagePath);
            LandmarkFile.Write(phantom.Landmarks, landmarkPath);
            cases.Add(new DatasetCase(id, imagePath, landmarkPath));
        }
        var manifest = new DatasetManifest(name, LandmarkNames, cases);
        manifest.Save(ManifestPath(directory, name));
        return DatasetManifest.Load(ManifestPath(directory, name));
    }

    /// <summary>Where <see cref="WriteDataset"/> writes the manifest of the phantoms it writes to <paramref name="directory"/>.</summary>
    public static string ManifestPath(string directory, string name) => Path.Combine(directory, name + ".json");
}
