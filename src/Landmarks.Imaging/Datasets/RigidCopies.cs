using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

namespace Landmarks.Imaging.Datasets;

/// <summary>
/// Copies of a scan as if the subject had moved in the scanner: the anatomy rotated about the
/// image centre and shifted, in world space, resampled on the original grid; landmarks moved with it,
/// and marked absent where the move takes them out of the image. For datasets of one or a few annotated
/// scans (a 3D specimen, say).
/// </summary>
public static class RigidCopies
{
    /// <summary>The scan and its landmarks moved by rotation <paramref name="rotation"/> about the image centre, then <paramref name="shiftMm"/>.</summary>
    public static (Image Image, LandmarkSet Landmarks) Move(Image image, LandmarkSet landmarks, Matrix3 rotation, Vec3 shiftMm)
    {
        var g = image.Geometry;
        var centre = g.IndexToWorld(new VoxelIndex((g.Size.X - 1) / 2.0, (g.Size.Y - 1) / 2.0, (g.Size.Z - 1) / 2.0));
        WorldMm Moved(WorldMm p) => centre + rotation * (p - centre) + shiftMm;
        // The scan placed where the moved subject is, then sampled on the scanner's grid.
        var placed = image.WithGeometry(new ImageGeometry(g.Dimension, g.Size, g.SpacingMm, Moved(g.OriginMm), rotation * g.Direction));
        var resampled = placed.Resample(g, Interpolation.Linear, (float)image.Statistics().Min);
        return (resampled, new LandmarkSet(landmarks.Landmarks.Select(l => l with
        {
            PositionMm = l.PositionMm is WorldMm p && g.ContainsWorld(Moved(p)) ? Moved(p) : null,
        })));
    }

    /// <summary>Writes <paramref name="count"/> randomly moved copies of every case and a manifest of them.</summary>
    public static DatasetManifest Write(DatasetManifest source, string directory, int count, double maxDegrees, double maxShiftFraction, int seed)
    {
        var rng = new Random(seed);
        double U(double range) => (2 * rng.NextDouble() - 1) * range;
        var copies = new DerivedDataset(directory);
        foreach (var c in source.Cases)
        {
            var loaded = source.LoadCase(c);
            for (int n = 0; n < count; n++)
            {
                double Radians() => U(maxDegrees) * Math.PI / 180;
                var rotation = Matrix3.Rotation(2, Radians());
                if (loaded.Image.Dimension == 3) rotation = rotation * Matrix3.Rotation(1, Radians()) * Matrix3.Rotation(0, Radians());
                var extent = loaded.Image.Geometry.ExtentMm;
                var shift = new Vec3(U(maxShiftFraction * extent.X), U(maxShiftFraction * extent.Y), loaded.Image.Dimension == 3 ? U(maxShiftFraction * extent.Z) : 0);
                var (image, landmarks) = Move(loaded.Image, loaded.Reference, rotation, shift);
                copies.Add($"{c.Id}-copy{n:000}", image, landmarks);
            }
        }
        return copies.Save(source.Name + "-copies", source.LandmarkNames);
    }
}
