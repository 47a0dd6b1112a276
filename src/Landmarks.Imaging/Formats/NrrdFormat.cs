using System.Globalization;
using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>
/// NRRD (teem): .nrrd with attached data or .nhdr with a detached data file; raw, gzip and ascii
/// encodings; <c>space</c> LPS, RAS or LAS (converted to LPS), <c>space directions</c> and
/// <c>space origin</c>, or plain <c>spacings</c>. Writes gzip-encoded LPS .nrrd.
/// </summary>
public sealed class NrrdFormat : IImageFormat
{
    public string Name => "NRRD";
    public IReadOnlyList<string> Extensions { get; } = [".nrrd", ".nhdr"];
    public bool CanWrite => true;

    private static readonly Dictionary<string, PixelType> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["uchar"] = PixelType.UInt8, ["unsigned char"] = PixelType.UInt8, ["uint8"] = PixelType.UInt8, ["uint8_t"] = PixelType.UInt8,
        ["signed char"] = PixelType.Int8, ["int8"] = PixelType.Int8, ["int8_t"] = PixelType.Int8,
        ["short"] = PixelType.Int16, ["short int"] = PixelType.Int16, ["signed short"] = PixelType.Int16, ["signed short int"] = PixelType.Int16, ["int16"] = PixelType.Int16, ["int16_t"] = PixelType.Int16,
        ["ushort"] = PixelType.UInt16, ["unsigned short"] = PixelType.UInt16, ["unsigned short int"] = PixelType.UInt16, ["uint16"] = PixelType.UInt16, ["uint16_t"] = PixelType.UInt16,
        ["int"] = PixelType.Int32, ["signed int"] = PixelType.Int32, ["int32"] = PixelType.Int32, ["int32_t"] = PixelType.Int32,
        ["uint"] = PixelType.UInt32, ["unsigned int"] = PixelType.UInt32, ["uint32"] = PixelType.UInt32, ["uint32_t"] = PixelType.UInt32,
        ["float"] = PixelType.Float32, ["double"] = PixelType.Float64,
    };

    public Image Read(string path, ImageReadOptions options)
    {
        using var file = File.OpenRead(path);
        long headerBytes = 0;
        string? magic = TextHeader.ReadLine(path, file, ref headerBytes);
        if (magic is null || !magic.StartsWith("NRRD000", StringComparison.Ordinal))
            throw new InvalidFileException(path, "not a NRRD file: it does not start with 'NRRD000'");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (TextHeader.ReadLine(path, file, ref headerBytes) is string line && line.Length > 0)
        {
            if (line.StartsWith('#') || line.Contains(":=")) continue;
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0 && file.Position == file.Length) throw new InvalidFileException(path, "file is truncated inside the header");
            if (colon <= 0) throw new InvalidFileException(path, $"malformed NRRD field line '{(line.Length > 60 ? line[..60] + "..." : line)}'");
            string key = line[..colon].Trim();
            if (!fields.TryAdd(key, line[(colon + 2)..].Trim())) throw new InvalidFileException(path, $"field '{key}' is given twice");
        }
        if (file.Position == file.Length && !fields.ContainsKey("data file") && !fields.ContainsKey("datafile"))
            throw new InvalidFileException(path, "file is truncated: the header is not followed by data");

        string Field(string name) => fields.TryGetValue(name, out var v) ? v : throw new InvalidFileException(path, $"header has no '{name}' field");
        string? Optional(params string[] names) => names.Select(n => fields.GetValueOrDefault(n)).FirstOrDefault(v => v is not null);

        if (!Types.TryGetValue(Field("type"), out var type))
            throw new InvalidFileException(path, $"unsupported type '{Field("type")}'");
        int dimension = (int)TextHeader.Numbers(path, "dimension", Field("dimension"), 1)[0];
        if (dimension is not (2 or 3)) throw new InvalidFileException(path, $"dimension {dimension}: only 2D and 3D scalar images are supported");
        var sizes = TextHeader.Sizes(path, "sizes", Field("sizes"), dimension);
        if (Optional("kinds") is string kinds && kinds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(k => k is not ("domain" or "space" or "???" or "none")))
            throw new InvalidFileException(path, $"kinds '{kinds}': only scalar images (all axes domain or space) are supported");

        var (toLps, spaceDimension) = SpaceOf(path, Optional("space"), Optional("space dimension"));
        Vec3 Lps(double[] v) => toLps * new Vec3(v[0], v.Length > 1 ? v[1] : 0, v.Length > 2 ? v[2] : 0);

        var columns = new Vec3[3];
        var spacing = new double[3];
        if (Optional("space directions") is string directions)
        {
            var vectors = ParseVectors(path, "space directions", directions);
            if (vectors.Count != dimension) throw new InvalidFileException(path, $"space directions has {vectors.Count} entries for dimension {dimension}");
            for (int axis = 0; axis < dimension; axis++)
            {
                var v = vectors[axis] ?? throw new InvalidFileException(path, $"space directions: axis {axis} is 'none'; only spatial axes are supported");
                if (v.Length != spaceDimension) throw new InvalidFileException(path, $"space directions: vector {axis} has {v.Length} components, space has {spaceDimension}");
                var world = Lps(v);
                spacing[axis] = world.Length;
                if (spacing[axis] == 0) throw new InvalidFileException(path, $"space directions: vector {axis} is zero");
                columns[axis] = world / spacing[axis];
            }
        }
        else
        {
            var values = Optional("spacings") is string s ? TextHeader.Numbers(path, "spacings", s, dimension) : Enumerable.Repeat(1.0, dimension).ToArray();
            for (int axis = 0; axis < dimension; axis++)
            {
                spacing[axis] = double.IsNaN(values[axis]) ? 1 : Math.Abs(values[axis]);
                columns[axis] = new Vec3(axis == 0 ? 1 : 0, axis == 1 ? 1 : 0, axis == 2 ? 1 : 0);
            }
        }
        if (dimension == 2)
        {
            spacing[2] = 1;
            columns[2] = columns[0].Cross(columns[1]).Normalized();
        }
        var origin = Vec3.Zero;
        if (Optional("space origin") is string o)
        {
            var vectors = ParseVectors(path, "space origin", o);
            if (vectors.Count != 1) throw new InvalidFileException(path, $"space origin holds {vectors.Count} vectors, expected one");
            var v = vectors[0] ?? throw new InvalidFileException(path, "space origin is 'none'");
            if (v.Length != spaceDimension) throw new InvalidFileException(path, $"space origin has {v.Length} components, space has {spaceDimension}");
            origin = Lps(v);
        }
        var geometry = new ImageGeometry(dimension,
            new GridSize((int)sizes[0], (int)sizes[1], dimension == 3 ? (int)sizes[2] : 1),
            new Vec3(spacing[0], spacing[1], spacing[2]), WorldMm.FromVector(origin), Matrix3.FromColumns(columns[0], columns[1], columns[2]));

        string encoding = Field("encoding").ToLowerInvariant();
        string endian = (Optional("endian") ?? "little").ToLowerInvariant();
        if (endian is not ("little" or "big")) throw new InvalidFileException(path, $"endian '{endian}' is neither little nor big");
        bool bigEndian = endian == "big";
        double lineSkip = Optional("line skip", "lineskip") is string ls ? TextHeader.Numbers(path, "line skip", ls, 1)[0] : 0;
        double byteSkip = Optional("byte skip", "byteskip") is string bs ? TextHeader.Numbers(path, "byte skip", bs, 1)[0] : 0;
        // Skips are whole counts within the data; -1 (raw only) takes the data from the end of the file.
        if (!(lineSkip >= 0 && lineSkip <= int.MaxValue && lineSkip == Math.Floor(lineSkip)))
            throw new InvalidFileException(path, $"line skip {lineSkip} is not a count of lines");
        if (!(byteSkip >= -1 && byteSkip <= int.MaxValue && byteSkip == Math.Floor(byteSkip)) || byteSkip == -1 && !encoding.Equals("raw", StringComparison.Ordinal))
            throw new InvalidFileException(path, $"byte skip {byteSkip} is not a count of bytes{(byteSkip == -1 ? " (-1 is for raw data only)" : "")}");

        if (Optional("data file", "datafile") is string dataFile)
        {
            if (dataFile.StartsWith("LIST", StringComparison.Ordinal) || dataFile.Contains(' '))
                throw new InvalidFileException(path, $"data file '{dataFile}': lists and patterns of data files are not supported");
            string dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataFile);
            if (!File.Exists(dataPath)) throw new InvalidFileException(path, $"data file '{dataFile}' not found");
            using var data = File.OpenRead(dataPath);
            return new Image(geometry, ReadData(dataPath, data, geometry, type, encoding, bigEndian, (long)lineSkip, (long)byteSkip));
        }
        return new Image(geometry, ReadData(path, file, geometry, type, encoding, bigEndian, (long)lineSkip, (long)byteSkip));
    }

    private static (Matrix3 ToLps, int SpaceDimension) SpaceOf(string path, string? space, string? spaceDimension)
    {
        if (space is null)
        {
            int n = spaceDimension is null ? 3 : (int)TextHeader.Numbers(path, "space dimension", spaceDimension, 1)[0];
            if (n is not (2 or 3)) throw new InvalidFileException(path, $"space dimension {n} is not supported");
            return (Matrix3.Identity, n);
        }
        return space.ToLowerInvariant() switch
        {
            "left-posterior-superior" or "lps" => (Matrix3.Identity, 3),
            "right-anterior-superior" or "ras" => (Matrix3.Diagonal(new Vec3(-1, -1, 1)), 3),
            "left-anterior-superior" or "las" => (Matrix3.Diagonal(new Vec3(1, -1, 1)), 3),
            _ => throw new InvalidFileException(path, $"space '{space}' is not supported (LPS, RAS and LAS are)"),
        };
    }

    /// <summary>Parses "(x,y,z) none (x,y,z)" into vectors, null for "none".</summary>
    private static List<double[]?> ParseVectors(string path, string field, string text)
    {
        var result = new List<double[]?>();
        int at = 0;
        while (at < text.Length)
        {
            if (char.IsWhiteSpace(text[at])) { at++; continue; }
            if (text.AsSpan(at).StartsWith("none", StringComparison.OrdinalIgnoreCase)) { result.Add(null); at += 4; continue; }
            if (text[at] != '(') throw new InvalidFileException(path, $"{field}: expected '(' at '{text[at..]}'");
            int close = text.IndexOf(')', at);
            if (close < 0) throw new InvalidFileException(path, $"{field}: missing ')'");
            result.Add(TextHeader.Numbers(path, field, text[(at + 1)..close]));
            at = close + 1;
        }
        return result;
    }

    private static float[] ReadData(string path, Stream stream, ImageGeometry geometry, PixelType type, string encoding, bool bigEndian, long lineSkip, long byteSkip)
    {
        for (long line = 0; line < lineSkip; line++)
        {
            int b;
            while ((b = stream.ReadByte()) >= 0 && b != '\n') { }
            if (b < 0) throw new InvalidFileException(path, "file is truncated: fewer lines than 'line skip'");
        }
        long voxelCount = geometry.Size.VoxelCount;
        long remaining = stream.Length - stream.Position;
        switch (encoding)
        {
            case "raw":
                if (byteSkip == -1) stream.Position = Math.Max(stream.Position, stream.Length - voxelCount * type.BytesPerVoxel());
                else if (byteSkip > stream.Length - stream.Position) throw new InvalidFileException(path, $"byte skip {byteSkip} goes beyond the end of the file");
                else stream.Position += byteSkip;
                return VoxelData.Read(path, stream, voxelCount, type, bigEndian, false, stream.Length - stream.Position);
            case "gzip" or "gz":
            {
                using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
                // Skipped in pieces: a damaged skip must not ask for one huge buffer; deflate expands at most about 1032 times.
                if (byteSkip > remaining * 1032L) throw new InvalidFileException(path, $"byte skip {byteSkip} goes beyond what {remaining} compressed bytes hold");
                var skipped = new byte[1 << 16];
                for (long left = byteSkip; left > 0; left -= skipped.Length)
                    if (gzip.ReadAtLeast(skipped.AsSpan(0, (int)Math.Min(left, skipped.Length)), (int)Math.Min(left, skipped.Length), throwOnEndOfStream: false) < Math.Min(left, skipped.Length))
                        throw new InvalidFileException(path, "file is truncated: the data ends within 'byte skip'");
                return VoxelData.Read(path, gzip, voxelCount, type, bigEndian, true, remaining);
            }
            case "ascii" or "text" or "txt":
                return ReadAscii(path, stream, voxelCount, remaining);
            default:
                throw new InvalidFileException(path, $"encoding '{encoding}' is not supported (raw, gzip and ascii are)");
        }
    }

    private static float[] ReadAscii(string path, Stream stream, long voxelCount, long remaining)
    {
        // Each value takes at least two characters (a digit and a separator), but the last.
        if (voxelCount > remaining / 2 + 1)
            throw new InvalidFileException(path, $"file is truncated: {remaining} bytes of text cannot hold {voxelCount:N0} values");
        var voxels = new float[voxelCount];
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        long n = 0;
        while (n < voxelCount && reader.ReadLine() is string line)
        {
            foreach (var token in line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                if (n == voxelCount) break;
                if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out voxels[n++]))
                    throw new InvalidFileException(path, $"'{token}' is not a number");
            }
        }
        if (n < voxelCount) throw new InvalidFileException(path, $"file is truncated: {n:N0} of {voxelCount:N0} values");
        return voxels;
    }

    public void Write(Image image, string path)
    {
        if (path.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase))
            throw new InvalidFileException(path, "writing detached NRRD is not supported; write .nrrd");
        var g = image.Geometry;
        var type = PixelTypes.LosslessFor(image.Voxels);
        string typeName = type switch
        {
            PixelType.UInt8 => "uint8", PixelType.Int8 => "int8", PixelType.UInt16 => "uint16", PixelType.Int16 => "int16",
            PixelType.UInt32 => "uint32", PixelType.Int32 => "int32", PixelType.Float32 => "float", _ => "double",
        };
        string Vector(Vec3 v) => $"({TextHeader.Format(v.X)},{TextHeader.Format(v.Y)},{TextHeader.Format(v.Z)})";
        var directions = Enumerable.Range(0, g.Dimension).Select(axis => Vector(g.Direction.Column(axis) * g.SpacingMm[axis]));
        string sizes = g.Dimension == 3 ? $"{g.Size.X} {g.Size.Y} {g.Size.Z}" : $"{g.Size.X} {g.Size.Y}";
        var header = new StringBuilder()
            .Append("NRRD0004\n")
            .Append("# written by landmarks\n")
            .Append($"type: {typeName}\n")
            .Append($"dimension: {g.Dimension}\n")
            .Append("space: left-posterior-superior\n")
            .Append($"sizes: {sizes}\n")
            .Append($"space directions: {string.Join(" ", directions)}\n")
            .Append($"kinds: {string.Join(" ", Enumerable.Repeat("domain", g.Dimension))}\n")
            .Append("endian: little\n")
            .Append("encoding: gzip\n")
            .Append($"space origin: {Vector(g.OriginMm.AsVector())}\n")
            .Append('\n');
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes(header.ToString()));
            using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            VoxelData.Write(gzip, image.Voxels, type);
        });
    }
}
