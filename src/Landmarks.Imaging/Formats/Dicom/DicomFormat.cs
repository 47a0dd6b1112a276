using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats.Dicom;

/// <summary>
/// DICOM, read only: a <c>.dcm</c> file is one 2D image (a radiograph, or a slice), or a 3D volume when it is an
/// enhanced multi-frame image; a folder of the slices of one series is one 3D volume (<see cref="DicomSeries"/>). World coordinates are DICOM's own
/// patient coordinates (LPS mm). A 2D image keeps its in-plane placement when it lies in an axial plane
/// (an image in 2D has no depth); otherwise it is placed at the origin with its pixel spacing, as
/// projection radiographs, which carry no position, always are.
/// </summary>
public sealed class DicomFormat : IImageFormat
{
    public string Name => "DICOM";
    public IReadOnlyList<string> Extensions { get; } = [".dcm"];
    public bool CanWrite => false;

    public Image Read(string path, ImageReadOptions options)
    {
        var frames = DicomSlice.ReadFrames(path);
        if (frames.Count > 1) return DicomSeries.Stack(path, frames);
        var slice = frames[0];
        var (spacingX, spacingY) = SpacingOf(slice, options);
        var direction = Matrix3.Identity;
        var origin = new WorldMm(0, 0, 0);
        if (slice.Orientation is var (row, column) && slice.PositionMm is WorldMm position)
        {
            if (Math.Abs(row.Z) < 1e-3 && Math.Abs(column.Z) < 1e-3)
            {
                direction = DirectionOf(path, row, column);
                origin = new WorldMm(position.X, position.Y, 0);
            }
            else options.Warn?.Invoke($"{path}: the image plane is not axial; it is placed at the origin in its own plane (a 2D image has no depth)");
        }
        return new Image(new ImageGeometry(2, new GridSize(slice.Columns, slice.Rows, 1), new Vec3(spacingX, spacingY, 1), origin, direction), slice.Pixels);
    }

    public void Write(Image image, string path) => throw new InvalidFileException(path, "writing DICOM is not supported");

    /// <summary>The file's pixel spacing, else the one given, else 1 mm with a warning.</summary>
    internal static (double X, double Y) SpacingOf(DicomSlice slice, ImageReadOptions options)
    {
        if (slice.PixelSpacingMm is (double, double) spacing)
        {
            if (slice.SpacingSource.StartsWith("Imager"))
                options.Warn?.Invoke($"{slice.Path}: spacing from {slice.SpacingSource}, measured at the detector, not in the patient (magnified)");
            return spacing;
        }
        if (options.SpacingMm is Vec3 given) return (given.X, given.Y);
        options.Warn?.Invoke($"{slice.Path}: the file carries no pixel spacing; assuming 1 mm (give the spacing to override)");
        return (1, 1);
    }

    /// <summary>Columns: the directions of increasing column and row, and their cross product.</summary>
    internal static Matrix3 DirectionOf(string path, Vec3 row, Vec3 column)
    {
        if (Math.Abs(row.Length - 1) > 1e-3 || Math.Abs(column.Length - 1) > 1e-3 || Math.Abs(row.Dot(column)) > 1e-3)
            throw new InvalidFileException(path, $"DICOM Image Orientation (Patient) is not two orthogonal unit vectors: {row}, {column}");
        row = row.Normalized();
        column = column.Normalized();
        return Matrix3.FromColumns(row, column, row.Cross(column).Normalized());
    }
}
