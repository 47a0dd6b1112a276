using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>
/// NIfTI-1 and NIfTI-2 single files (.nii, .nii.gz). NIfTI stores RAS world coordinates; they are
/// converted to LPS as ITK does. The sform is preferred when set and free of shear, else the qform,
/// else the pixel spacing alone. Writes NIfTI-1 with matching sform and qform.
/// </summary>
public sealed class NiftiFormat : IImageFormat
{
    private const int Nifti1HeaderSize = 348;
    private const int Nifti2HeaderSize = 540;
    private static readonly Matrix3 RasToLps = Matrix3.Diagonal(new Vec3(-1, -1, 1));

    public string Name => "NIfTI";
    public IReadOnlyList<string> Extensions { get; } = [".nii", ".nii.gz"];
    public bool CanWrite => true;

    private sealed record Header(
        int Version, long[] Dims, PixelType Type, double[] PixDim, long VoxOffset, double SlopeScale, double InterceptScale,
        int QformCode, int SformCode, double[] Quatern, double[] QOffset, double[][] Srow);

    public Image Read(string path, ImageReadOptions options)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        bool gzip = file.Read(magic) == 2 && VoxelData.IsGzip(magic);
        file.Position = 0;
        Stream stream = gzip ? VoxelData.OpenGzip(file) : file;

        var first = new byte[Nifti2HeaderSize];
        int got = stream.ReadAtLeast(first.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        if (got < 4) throw new InvalidFileException(path, "not a NIfTI file: too short for a header");
        int headerSize = Detect(first, out bool bigEndian)
            ?? throw new InvalidFileException(path, "not a NIfTI file: header size field is neither 348 (NIfTI-1) nor 540 (NIfTI-2)");
        got += stream.ReadAtLeast(first.AsSpan(4, headerSize - 4), headerSize - 4, throwOnEndOfStream: false);
        if (got < headerSize) throw new InvalidFileException(path, $"file is truncated: header has {got} of {headerSize} bytes");

        var header = headerSize == Nifti1HeaderSize ? ParseNifti1(path, first, bigEndian) : ParseNifti2(path, first, bigEndian);
        var geometry = GeometryOf(path, header);

        long skip = header.VoxOffset - headerSize;
        if (skip < 0) throw new InvalidFileException(path, $"vox_offset {header.VoxOffset} lies inside the header");
        long stored = gzip ? file.Length : file.Length - header.VoxOffset;
        if (!gzip && stored < 0) throw new InvalidFileException(path, $"file is truncated: vox_offset {header.VoxOffset} is past the end of the file");
        // Guard the skip too: a huge vox_offset in a gzip stream would otherwise be read forever.
        if (gzip && skip > file.Length * 1032) throw new InvalidFileException(path, $"vox_offset {header.VoxOffset} is beyond the data");
        SkipBytes(path, stream, skip);

        if (!double.IsFinite(header.SlopeScale) || !double.IsFinite(header.InterceptScale))
            throw new InvalidFileException(path, $"scl_slope {header.SlopeScale} and scl_inter {header.InterceptScale} must be finite numbers");
        var voxels = VoxelData.Read(path, stream, geometry.Size.VoxelCount, header.Type, bigEndian, gzip, stored);
        if (header.SlopeScale != 0 && !(header.SlopeScale == 1 && header.InterceptScale == 0))
        {
            float slope = (float)header.SlopeScale, intercept = (float)header.InterceptScale;
            for (int n = 0; n < voxels.Length; n++) voxels[n] = voxels[n] * slope + intercept;
        }
        return new Image(geometry, voxels);
    }

    private static void SkipBytes(string path, Stream stream, long count)
    {
        if (stream.CanSeek) { stream.Seek(count, SeekOrigin.Current); return; }
        var buffer = new byte[4096];
        while (count > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0) throw new InvalidFileException(path, "compressed data ends early, before vox_offset");
            count -= n;
        }
    }

    private static int? Detect(byte[] first, out bool bigEndian)
    {
        foreach (bool big in new[] { false, true })
        {
            int size = big ? BinaryPrimitives.ReadInt32BigEndian(first) : BinaryPrimitives.ReadInt32LittleEndian(first);
            if (size is Nifti1HeaderSize or Nifti2HeaderSize)
            {
                bigEndian = big;
                return size;
            }
        }
        bigEndian = false;
        return null;
    }

    /// <summary>The voxel type; bitpix must agree with it (0, which some writers leave, is taken as unset).</summary>
    private static PixelType TypeOf(string path, int datatype, int bitpix)
    {
        var type = TypeOf(path, datatype);
        if (bitpix != 0 && bitpix != type.BytesPerVoxel() * 8)
            throw new InvalidFileException(path, $"bitpix {bitpix} does not match datatype {datatype} ({type.BytesPerVoxel() * 8} bits)");
        return type;
    }

    private static PixelType TypeOf(string path, int datatype) => datatype switch
    {
        2 => PixelType.UInt8,
        4 => PixelType.Int16,
        8 => PixelType.Int32,
        16 => PixelType.Float32,
        64 => PixelType.Float64,
        256 => PixelType.Int8,
        512 => PixelType.UInt16,
        768 => PixelType.UInt32,
        _ => throw new InvalidFileException(path, $"unsupported NIfTI datatype {datatype} (supported: uint8, int8, int16, uint16, int32, uint32, float32, float64)"),
    };

    private static int DatatypeOf(PixelType type) => type switch
    {
        PixelType.UInt8 => 2,
        PixelType.Int16 => 4,
        PixelType.Int32 => 8,
        PixelType.Float32 => 16,
        PixelType.Float64 => 64,
        PixelType.Int8 => 256,
        PixelType.UInt16 => 512,
        PixelType.UInt32 => 768,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static Header ParseNifti1(string path, byte[] h, bool big)
    {
        var r = new EndianReader(h, big);
        string magic = Encoding.ASCII.GetString(h, 344, 3);
        if (magic == "ni1") throw new InvalidFileException(path, "NIfTI-1 header/image pairs (.hdr + .img) are not supported; convert to a single .nii");
        if (magic != "n+1") throw new InvalidFileException(path, $"not a NIfTI-1 file: magic is '{Printable(h, 344, 4)}', expected 'n+1'");
        var dims = Enumerable.Range(0, 8).Select(i => (long)r.Int16(40 + 2 * i)).ToArray();
        var pixdim = Enumerable.Range(0, 8).Select(i => (double)r.Float32(76 + 4 * i)).ToArray();
        float voxOffset = r.Float32(108);
        if (!float.IsFinite(voxOffset)) throw new InvalidFileException(path, $"vox_offset {voxOffset} is not a finite number");
        return new Header(1, dims, TypeOf(path, r.Int16(70), r.Int16(72)), pixdim, (long)voxOffset, r.Float32(112), r.Float32(116),
            r.Int16(252), r.Int16(254),
            [r.Float32(256), r.Float32(260), r.Float32(264)],
            [r.Float32(268), r.Float32(272), r.Float32(276)],
            [.. Enumerable.Range(0, 3).Select(row => Enumerable.Range(0, 4).Select(c => (double)r.Float32(280 + 16 * row + 4 * c)).ToArray())]);
    }

    private static Header ParseNifti2(string path, byte[] h, bool big)
    {
        var r = new EndianReader(h, big);
        if (Encoding.ASCII.GetString(h, 4, 3) != "n+2")
            throw new InvalidFileException(path, $"not a NIfTI-2 file: magic is '{Printable(h, 4, 4)}', expected 'n+2'");
        var dims = Enumerable.Range(0, 8).Select(i => r.Int64(16 + 8 * i)).ToArray();
        var pixdim = Enumerable.Range(0, 8).Select(i => r.Float64(104 + 8 * i)).ToArray();
        return new Header(2, dims, TypeOf(path, r.Int16(12), r.Int16(14)), pixdim, r.Int64(168), r.Float64(176), r.Float64(184),
            r.Int32(344), r.Int32(348),
            [r.Float64(352), r.Float64(360), r.Float64(368)],
            [r.Float64(376), r.Float64(384), r.Float64(392)],
            [.. Enumerable.Range(0, 3).Select(row => Enumerable.Range(0, 4).Select(c => r.Float64(400 + 32 * row + 8 * c)).ToArray())]);
    }

    private static string Printable(byte[] h, int at, int count) =>
        new(Encoding.ASCII.GetString(h, at, count).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static ImageGeometry GeometryOf(string path, Header h)
    {
        long ndim = h.Dims[0];
        if (ndim is < 2 or > 7) throw new InvalidFileException(path, $"dim[0] = {ndim}, expected 2 to 7");
        for (int axis = 1; axis <= ndim; axis++)
            if (h.Dims[axis] < 1) throw new InvalidFileException(path, $"dim[{axis}] = {h.Dims[axis]}, expected a positive size");
        for (int axis = 4; axis <= ndim; axis++)
            if (h.Dims[axis] > 1) throw new InvalidFileException(path, $"images with more than 3 dimensions are not supported (dim[{axis}] = {h.Dims[axis]})");
        long nx = h.Dims[1], ny = h.Dims[2], nz = ndim >= 3 ? h.Dims[3] : 1;
        if (nx > int.MaxValue || ny > int.MaxValue || nz > int.MaxValue || (double)nx * ny * nz > ImageGeometry.MaxVoxelCount)
            throw new InvalidFileException(path, $"header asks for {nx}x{ny}x{nz} voxels, more than the {ImageGeometry.MaxVoxelCount:N0} an image may have");
        var size = new GridSize((int)nx, (int)ny, (int)nz);
        int dimension = nz == 1 && ndim == 2 ? 2 : 3;

        for (int axis = 1; axis <= Math.Min(ndim, 3); axis++)
            if (!double.IsFinite(h.PixDim[axis])) throw new InvalidFileException(path, $"pixdim[{axis}] = {h.PixDim[axis]} is not a finite number");
        // A zero or negative pixel size is taken as 1 mm, as the NIfTI reference library does.
        double Spacing(int axis) => axis <= ndim && h.PixDim[axis] > 0 ? h.PixDim[axis] : 1.0;
        var pixdimSpacing = new Vec3(Spacing(1), Spacing(2), Spacing(3));

        Matrix3 directionRas;
        Vec3 spacing;
        Vec3 originRas;
        var sformColumns = Enumerable.Range(0, 3).Select(c => new Vec3(h.Srow[0][c], h.Srow[1][c], h.Srow[2][c])).ToArray();
        bool sformUsable = h.SformCode > 0 && sformColumns.All(c => c.IsFinite && c.Length > 0)
            && Matrix3.FromColumns(sformColumns[0].Normalized(), sformColumns[1].Normalized(), sformColumns[2].Normalized()).IsOrthonormal(1e-3);
        if (sformUsable)
        {
            spacing = new Vec3(sformColumns[0].Length, sformColumns[1].Length, sformColumns[2].Length);
            directionRas = Matrix3.FromColumns(sformColumns[0].Normalized(), sformColumns[1].Normalized(), sformColumns[2].Normalized());
            originRas = new Vec3(h.Srow[0][3], h.Srow[1][3], h.Srow[2][3]);
        }
        else if (h.QformCode > 0)
        {
            spacing = pixdimSpacing;
            if (!h.Quatern.All(double.IsFinite)) throw new InvalidFileException(path, "the qform quaternion is not made of finite numbers");
            directionRas = QuaternionToRotation(h.Quatern[0], h.Quatern[1], h.Quatern[2], h.PixDim[0] < 0 ? -1 : 1);
            originRas = new Vec3(h.QOffset[0], h.QOffset[1], h.QOffset[2]);
        }
        else
        {
            if (h.SformCode > 0) throw new InvalidFileException(path, "the sform is sheared or degenerate and there is no qform to fall back on");
            spacing = pixdimSpacing;
            directionRas = Matrix3.Identity;
            originRas = Vec3.Zero;
        }
        if (!originRas.IsFinite) throw new InvalidFileException(path, "the origin is not a finite number");
        return new ImageGeometry(dimension, size, spacing, WorldMm.FromVector(RasToLps * originRas), RasToLps * directionRas);
    }

    /// <summary>The NIfTI quaternion convention: a = sqrt(1 - b² - c² - d²), third column times qfac.</summary>
    internal static Matrix3 QuaternionToRotation(double b, double c, double d, double qfac)
    {
        double a = Math.Sqrt(Math.Max(0, 1 - (b * b + c * c + d * d)));
        return new Matrix3(
            a * a + b * b - c * c - d * d, 2 * (b * c - a * d), qfac * 2 * (b * d + a * c),
            2 * (b * c + a * d), a * a + c * c - b * b - d * d, qfac * 2 * (c * d - a * b),
            2 * (b * d - a * c), 2 * (c * d + a * b), qfac * (a * a + d * d - c * c - b * b));
    }

    /// <summary>Inverse of <see cref="QuaternionToRotation"/> for an orthonormal matrix.</summary>
    internal static (double B, double C, double D, double Qfac) RotationToQuaternion(Matrix3 rotation)
    {
        double qfac = rotation.Determinant < 0 ? -1 : 1;
        var r = qfac < 0 ? Matrix3.FromColumns(rotation.Column(0), rotation.Column(1), -rotation.Column(2)) : rotation;
        double trace = r[0, 0] + r[1, 1] + r[2, 2] + 1;
        double a, b, c, d;
        if (trace > 0.5)
        {
            a = 0.5 * Math.Sqrt(trace);
            b = 0.25 * (r[2, 1] - r[1, 2]) / a;
            c = 0.25 * (r[0, 2] - r[2, 0]) / a;
            d = 0.25 * (r[1, 0] - r[0, 1]) / a;
        }
        else
        {
            double xd = 1 + r[0, 0] - (r[1, 1] + r[2, 2]), yd = 1 + r[1, 1] - (r[0, 0] + r[2, 2]), zd = 1 + r[2, 2] - (r[0, 0] + r[1, 1]);
            if (xd > 1)
            {
                b = 0.5 * Math.Sqrt(xd); c = 0.25 * (r[0, 1] + r[1, 0]) / b; d = 0.25 * (r[0, 2] + r[2, 0]) / b; a = 0.25 * (r[2, 1] - r[1, 2]) / b;
            }
            else if (yd > 1)
            {
                c = 0.5 * Math.Sqrt(yd); b = 0.25 * (r[0, 1] + r[1, 0]) / c; d = 0.25 * (r[1, 2] + r[2, 1]) / c; a = 0.25 * (r[0, 2] - r[2, 0]) / c;
            }
            else
            {
                d = 0.5 * Math.Sqrt(zd); b = 0.25 * (r[0, 2] + r[2, 0]) / d; c = 0.25 * (r[1, 2] + r[2, 1]) / d; a = 0.25 * (r[1, 0] - r[0, 1]) / d;
            }
            if (a < 0) { b = -b; c = -c; d = -d; }
        }
        return (b, c, d, qfac);
    }

    public void Write(Image image, string path)
    {
        var g = image.Geometry;
        var type = PixelTypes.LosslessFor(image.Voxels);
        var header = new byte[Nifti1HeaderSize + 4];
        var span = header.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, Nifti1HeaderSize);
        short[] dims = [(short)g.Dimension, (short)g.Size.X, (short)g.Size.Y, (short)g.Size.Z, 1, 1, 1, 1];
        if (g.Size.X > short.MaxValue || g.Size.Y > short.MaxValue || g.Size.Z > short.MaxValue)
            throw new InvalidFileException(path, $"NIfTI-1 cannot store a grid of {g.Size} (at most 32767 per axis)");
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16LittleEndian(span[(40 + 2 * i)..], dims[i]);
        BinaryPrimitives.WriteInt16LittleEndian(span[70..], (short)DatatypeOf(type));
        BinaryPrimitives.WriteInt16LittleEndian(span[72..], (short)(type.BytesPerVoxel() * 8));

        var directionRas = RasToLps * g.Direction;
        var originRas = RasToLps * g.OriginMm.AsVector();
        var (qb, qc, qd, qfac) = RotationToQuaternion(directionRas);
        float[] pixdim = [(float)qfac, (float)g.SpacingMm.X, (float)g.SpacingMm.Y, (float)g.SpacingMm.Z, 0, 0, 0, 0];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteSingleLittleEndian(span[(76 + 4 * i)..], pixdim[i]);
        BinaryPrimitives.WriteSingleLittleEndian(span[108..], header.Length);
        BinaryPrimitives.WriteSingleLittleEndian(span[112..], 1f);
        span[123] = 2; // xyzt_units: millimetres
        Encoding.ASCII.GetBytes("landmarks").CopyTo(span[148..]);
        BinaryPrimitives.WriteInt16LittleEndian(span[252..], 1); // qform_code: scanner
        BinaryPrimitives.WriteInt16LittleEndian(span[254..], 1); // sform_code: scanner
        float[] quatern = [(float)qb, (float)qc, (float)qd, (float)originRas.X, (float)originRas.Y, (float)originRas.Z];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(span[(256 + 4 * i)..], quatern[i]);
        var affine = directionRas * Matrix3.Diagonal(g.SpacingMm);
        for (int row = 0; row < 3; row++)
        {
            for (int c = 0; c < 3; c++) BinaryPrimitives.WriteSingleLittleEndian(span[(280 + 16 * row + 4 * c)..], (float)affine[row, c]);
            BinaryPrimitives.WriteSingleLittleEndian(span[(280 + 16 * row + 12)..], (float)originRas[row]);
        }
        Encoding.ASCII.GetBytes("n+1\0").CopyTo(span[344..]);

        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, file =>
        {
            if (!gzip)
            {
                file.Write(header);
                VoxelData.Write(file, image.Voxels, type);
                return;
            }
            using var compressed = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
            compressed.Write(header);
            VoxelData.Write(compressed, image.Voxels, type);
        });
    }
}
