using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats.Dicom;

/// <summary>
/// A folder of DICOM slices of one series (CT, MR) as one 3D volume: slices ordered along
/// the normal of their plane, the slice spacing from their positions (Image Position (Patient)), not from
/// Slice Thickness, which may differ; positions rounded by the scanner are tolerated. Uneven spacing (a missing slice), sheared stacks (gantry tilt) and
/// slices that disagree in size, spacing or orientation are refused rather than silently misplaced.
/// </summary>
public static class DicomSeries
{
    /// <summary>The DICOM files of a folder: <c>.dcm</c> files and files without extension that start like DICOM.</summary>
    public static IReadOnlyList<string> FilesIn(string folder) =>
        [.. Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) || (Path.GetExtension(f) == "" && DicomDataSet.HasMagic(f)))
            .Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="folder"/> is read as one volume: it holds more than one DICOM file, and all
    /// whose header reads are of one series (a damaged slice is then reported when the volume is read).</summary>
    public static bool IsVolume(string folder)
    {
        if (!Directory.Exists(folder)) return false;
        var files = FilesIn(folder);
        if (files.Count < 2) return false;
        var series = new HashSet<string?>();
        foreach (string file in files)
        {
            try { series.Add(DicomDataSet.Read(file).String(0x0020, 0x000E)); }
            catch (InvalidFileException) { }
        }
        return series.Count == 1;
    }

    public static Image Read(string folder)
    {
        var files = FilesIn(folder);
        if (files.Count < 2) throw new InvalidFileException(folder, $"a DICOM series folder needs at least 2 slices, found {files.Count}");
        var slices = files.SelectMany(DicomSlice.ReadFrames).ToList();
        var series = slices.Select(s => s.SeriesUid ?? "").Distinct().ToList();
        if (series.Count > 1) throw new InvalidFileException(folder, $"holds {series.Count} DICOM series; give each its own folder");
        return Stack(folder, slices);
    }

    /// <summary>Parallel image planes (the files of a series, or the frames of a multi-frame file) as one volume.</summary>
    internal static Image Stack(string source, IReadOnlyList<DicomSlice> slices)
    {
        var first = slices[0];
        foreach (var s in slices)
        {
            if (s.PositionMm is null || s.Orientation is null)
                throw new InvalidFileException(s.Path, "DICOM image plane without Image Position/Orientation (Patient): its place in the volume is unknown");
            if (s.Columns != first.Columns || s.Rows != first.Rows)
                throw new InvalidFileException(s.Path, $"plane of {s.Columns}x{s.Rows} pixels in a volume of {first.Columns}x{first.Rows}");
            if (s.PixelSpacingMm is not var (x, y) || first.PixelSpacingMm is not var (x0, y0) || Math.Abs(x - x0) > 1e-4 || Math.Abs(y - y0) > 1e-4)
                throw new InvalidFileException(s.Path, "plane without pixel spacing, or with another one than the first plane");
            if ((s.Orientation.Value.Row - first.Orientation!.Value.Row).Length > 1e-4 || (s.Orientation.Value.Column - first.Orientation.Value.Column).Length > 1e-4)
                throw new InvalidFileException(s.Path, "plane orientation differs from the first plane's");
        }
        var direction = DicomFormat.DirectionOf(first.Path, first.Orientation!.Value.Row, first.Orientation.Value.Column);
        var normal = direction.Column(2);
        var ordered = slices.OrderBy(s => (s.PositionMm!.Value - new WorldMm(0, 0, 0)).Dot(normal)).ToList();
        var origin = ordered[0].PositionMm!.Value;
        var offsets = ordered.Select(s => s.PositionMm!.Value - origin).ToList();
        var along = offsets.Select(o => o.Dot(normal)).ToList();
        double spacingZ = along[^1] / (along.Count - 1);
        var gaps = along.Zip(along.Skip(1), (a, b) => b - a).ToList();
        if (gaps.Min() < 1e-3) throw new InvalidFileException(source, "two DICOM image planes at the same position");
        // Scanners round positions (often to 0.1 mm), so single gaps vary a little; a missing slice moves the
        // slices beside it half a spacing or more off the even grid.
        for (int n = 0; n < along.Count; n++)
            if (Math.Abs(along[n] - n * spacingZ) > 0.1 * spacingZ)
                throw new InvalidFileException(source, $"uneven slice spacing ({gaps.Min():0.###} to {gaps.Max():0.###} mm): a slice is missing, or the spacing varies, which is not supported");
        for (int n = 0; n < offsets.Count; n++)
            if ((offsets[n] - normal * along[n]).Length > 0.1 + 0.01 * along[n])
                throw new InvalidFileException(ordered[n].Path, "slices are not stacked along their normal (gantry tilt?), which is not supported");

        var size = new GridSize(first.Columns, first.Rows, ordered.Count);
        var voxels = new float[size.VoxelCount];
        int plane = first.Columns * first.Rows;
        for (int k = 0; k < ordered.Count; k++) ordered[k].Pixels.CopyTo(voxels, k * plane);
        var (spacingX, spacingY) = first.PixelSpacingMm!.Value;
        return new Image(new ImageGeometry(3, size, new Vec3(spacingX, spacingY, spacingZ), origin, direction), voxels);
    }
}
