using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>
/// MetaImage (ITK): .mha with the data in the same file, or .mhd with a detached raw file; zlib
/// compression optional. Offset and TransformMatrix are LPS; TransformMatrix lists the direction of
/// each grid axis in turn (ITK's reading). Writes compressed .mha, or .mhd + .zraw.
/// </summary>
public sealed class MetaImageFormat : IImageFormat
{
    public string Name => "MetaImage";
    public IReadOnlyList<string> Extensions { get; } = [".mha", ".mhd"];
    public bool CanWrite => true;

    private static PixelType TypeOf(string path, string name) => name switch
    {
        "MET_UCHAR" => PixelType.UInt8,
        "MET_CHAR" => PixelType.Int8,
        "MET_USHORT" => PixelType.UInt16,
        "MET_SHORT" => PixelType.Int16,
        "MET_UINT" => PixelType.UInt32,
        "MET_INT" => PixelType.Int32,
        "MET_FLOAT" => PixelType.Float32,
        "MET_DOUBLE" => PixelType.Float64,
        _ => throw new InvalidFileException(path, $"unsupported ElementType '{name}'"),
    };

    private static string NameOf(PixelType type) => type switch
    {
        PixelType.UInt8 => "MET_UCHAR",
        PixelType.Int8 => "MET_CHAR",
        PixelType.UInt16 => "MET_USHORT",
        PixelType.Int16 => "MET_SHORT",
        PixelType.UInt32 => "MET_UINT",
        PixelType.Int32 => "MET_INT",
        PixelType.Float32 => "MET_FLOAT",
        PixelType.Float64 => "MET_DOUBLE",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public Image Read(string path, ImageReadOptions options)
    {
        using var file = File.OpenRead(path);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        long headerBytes = 0;
        while (true)
        {
            string? line = TextHeader.ReadLine(path, file, ref headerBytes);
            if (line is null) throw new InvalidFileException(path, "header ends without ElementDataFile");
            if (line.Trim().Length == 0) continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new InvalidFileException(path, $"not a MetaImage header: line '{Clip(line)}' is not 'Key = Value'");
            string key = line[..eq].Trim(), value = line[(eq + 1)..].Trim();
            fields[key] = value;
            if (key.Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase)) break;
        }
        if (!fields.TryGetValue("ObjectType", out var objectType) && !fields.ContainsKey("NDims"))
            throw new InvalidFileException(path, "not a MetaImage header: no ObjectType or NDims");
        if (objectType is not null && !objectType.Equals("Image", StringComparison.OrdinalIgnoreCase))
            throw new InvalidFileException(path, $"ObjectType is '{objectType}', expected Image");

        string Field(string name) => fields.TryGetValue(name, out var v) ? v : throw new InvalidFileException(path, $"header has no {name}");
        string? Optional(params string[] names) => names.Select(n => fields.GetValueOrDefault(n)).FirstOrDefault(v => v is not null);

        int ndims = (int)TextHeader.Numbers(path, "NDims", Field("NDims"), 1)[0];
        if (ndims is not (2 or 3)) throw new InvalidFileException(path, $"NDims = {ndims}: only 2D and 3D images are supported");
        var sizes = TextHeader.Sizes(path, "DimSize", Field("DimSize"), ndims);
        if (Optional("ElementNumberOfChannels") is string channels && channels.Trim() != "1")
            throw new InvalidFileException(path, $"ElementNumberOfChannels = {channels}: only scalar images are supported");
        var type = TypeOf(path, Field("ElementType"));
        var spacingValues = Optional("ElementSpacing", "ElementSize") is string sp ? TextHeader.Numbers(path, "ElementSpacing", sp, ndims) : Enumerable.Repeat(1.0, ndims).ToArray();
        var originValues = Optional("Offset", "Origin", "Position") is string o ? TextHeader.Numbers(path, "Offset", o, ndims) : new double[ndims];
        var matrixValues = Optional("TransformMatrix", "Rotation", "Orientation") is string m ? TextHeader.Numbers(path, "TransformMatrix", m, ndims * ndims) : null;
        bool bigEndian = (Optional("BinaryDataByteOrderMSB", "ElementByteOrderMSB") ?? "False").Equals("True", StringComparison.OrdinalIgnoreCase);
        bool compressed = (Optional("CompressedData") ?? "False").Equals("True", StringComparison.OrdinalIgnoreCase);

        Vec3 Pad(double[] v, double fill) => new(v[0], v[1], ndims == 3 ? v[2] : fill);
        Matrix3 direction = Matrix3.Identity;
        if (matrixValues is not null)
        {
            Vec3 AxisDirection(int axis) => ndims == 3
                ? new Vec3(matrixValues[axis * 3], matrixValues[axis * 3 + 1], matrixValues[axis * 3 + 2])
                : axis < 2 ? new Vec3(matrixValues[axis * 2], matrixValues[axis * 2 + 1], 0) : new Vec3(0, 0, 1);
            direction = Matrix3.FromColumns(AxisDirection(0), AxisDirection(1), AxisDirection(2));
            if (!direction.IsOrthonormal(1e-3)) throw new InvalidFileException(path, $"TransformMatrix is not a rotation: {Field("TransformMatrix")}");
        }
        bool planar = ndims == 2 || (sizes[2] == 1 && IsInPlane(direction));
        var geometry = new ImageGeometry(planar ? 2 : 3,
            new GridSize((int)sizes[0], (int)sizes[1], ndims == 3 ? (int)sizes[2] : 1),
            Pad(spacingValues, 1), WorldMm.FromVector(Pad(originValues, 0)), direction);

        string dataFile = Field("ElementDataFile");
        long voxelCount = geometry.Size.VoxelCount;
        if (dataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase))
        {
            long stored = file.Length - headerBytes;
            var voxels = ReadData(path, file, voxelCount, type, bigEndian, compressed, stored);
            return new Image(geometry, voxels);
        }
        if (dataFile.StartsWith("LIST", StringComparison.OrdinalIgnoreCase) || dataFile.Contains('%'))
            throw new InvalidFileException(path, $"ElementDataFile '{dataFile}': file lists and patterns are not supported");
        string dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataFile);
        if (!File.Exists(dataPath)) throw new InvalidFileException(path, $"data file '{dataFile}' not found");
        using var data = File.OpenRead(dataPath);
        long headerSize = Optional("HeaderSize") is string hs ? (long)TextHeader.Numbers(path, "HeaderSize", hs, 1)[0] : 0;
        if (headerSize == -1 && !compressed) headerSize = data.Length - voxelCount * type.BytesPerVoxel();
        if (headerSize < 0 || headerSize > data.Length) throw new InvalidFileException(dataPath, $"HeaderSize {headerSize} does not fit the file of {data.Length} bytes");
        data.Position = headerSize;
        return new Image(geometry, ReadData(dataPath, data, voxelCount, type, bigEndian, compressed, data.Length - headerSize));
    }

    private static bool IsInPlane(Matrix3 d) =>
        Math.Abs(d[2, 0]) < 1e-6 && Math.Abs(d[2, 1]) < 1e-6 && Math.Abs(d[0, 2]) < 1e-6 && Math.Abs(d[1, 2]) < 1e-6;

    private static float[] ReadData(string path, Stream stream, long voxelCount, PixelType type, bool bigEndian, bool compressed, long stored)
    {
        if (!compressed) return VoxelData.Read(path, stream, voxelCount, type, bigEndian, false, stored);
        Span<byte> head = stackalloc byte[2];
        long start = stream.Position;
        VoxelData.CheckZlibHeader(path, head[..stream.ReadAtLeast(head, 2, throwOnEndOfStream: false)], "the compressed voxel data");
        stream.Position = start;
        using var inflated = new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true);
        return VoxelData.Read(path, inflated, voxelCount, type, bigEndian, true, stored);
    }

    private static string Clip(string line) => line.Length > 60 ? line[..60] + "..." : line;

    public void Write(Image image, string path)
    {
        var g = image.Geometry;
        var type = PixelTypes.LosslessFor(image.Voxels);
        // A 2D image whose plane is off z = 0 keeps its place only as a one-slice 3D header.
        int ndims = g.Dimension == 2 && g.OriginMm.Z == 0 && IsInPlane(g.Direction) ? 2 : 3;
        bool detached = path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase);
        string dataName = Path.GetFileNameWithoutExtension(path) + ".zraw";

        IEnumerable<double> Take(Vec3 v) => ndims == 3 ? [v.X, v.Y, v.Z] : [v.X, v.Y];
        string Join(IEnumerable<double> values) => string.Join(" ", values.Select(TextHeader.Format));
        var matrix = Enumerable.Range(0, ndims).SelectMany(axis => Take(g.Direction.Column(axis)));
        var header = new StringBuilder()
            .Append("ObjectType = Image\n")
            .Append($"NDims = {ndims}\n")
            .Append("BinaryData = True\n")
            .Append("BinaryDataByteOrderMSB = False\n")
            .Append("CompressedData = True\n")
            .Append($"TransformMatrix = {Join(matrix)}\n")
            .Append($"Offset = {Join(Take(g.OriginMm.AsVector()))}\n")
            .Append($"ElementSpacing = {Join(Take(g.SpacingMm))}\n")
            .Append($"DimSize = {string.Join(" ", ndims == 3 ? [g.Size.X, g.Size.Y, g.Size.Z] : new[] { g.Size.X, g.Size.Y })}\n")
            .Append($"ElementType = {NameOf(type)}\n")
            .Append($"ElementDataFile = {(detached ? dataName : "LOCAL")}\n");
        void WriteVoxels(Stream stream)
        {
            using var deflate = new ZLibStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            VoxelData.Write(deflate, image.Voxels, type);
        }
        if (detached)
        {
            AtomicFile.Write(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName), WriteVoxels);
            AtomicFile.WriteAllText(path, header.ToString());
            return;
        }
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes(header.ToString()));
            WriteVoxels(stream);
        });
    }
}
