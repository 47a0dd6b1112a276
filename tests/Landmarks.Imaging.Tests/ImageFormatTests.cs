using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

public class ImageFormatTests
{
    private static Image Sample3D(float scale = 1)
    {
        var g = new ImageGeometry(3, new GridSize(7, 6, 5), new Vec3(0.7, 1.1, 2.3), new WorldMm(-12.5, 40.25, 3.125), GeometryTests.Oblique());
        var image = Image.Filled(g);
        for (int n = 0; n < image.Voxels.Length; n++) image.Voxels[n] = ((n * 37) % 251) * scale;
        return image;
    }

    private static Image Sample2D()
    {
        var g = new ImageGeometry(2, new GridSize(9, 4, 1), new Vec3(0.1, 0.2, 1), new WorldMm(3, -4, 0), Matrix3.Identity);
        var image = Image.Filled(g);
        for (int n = 0; n < image.Voxels.Length; n++) image.Voxels[n] = n * 1000;
        return image;
    }

    private static void AssertSameImage(Image expected, Image actual, double toleranceMm = 1e-5)
    {
        Assert.Equal(expected.Dimension, actual.Dimension);
        Assert.Equal(expected.Size, actual.Size);
        Assert.True(expected.Geometry.SameGridAs(actual.Geometry, toleranceMm), $"geometry differs: {expected.Geometry} vs {actual.Geometry}");
        Assert.Equal(expected.Voxels, actual.Voxels);
    }

    [Theory]
    [InlineData("image.nii")]
    [InlineData("image.nii.gz")]
    [InlineData("image.mha")]
    [InlineData("image.mhd")]
    [InlineData("image.nrrd")]
    public void Round_trip_keeps_voxels_and_oblique_geometry_3D(string name)
    {
        using var dir = new TempDirectory();
        var image = Sample3D();
        ImageFile.Write(image, dir.File(name));
        AssertSameImage(image, ImageFile.Read(dir.File(name)));
    }

    [Theory]
    [InlineData("image.nii.gz")]
    [InlineData("image.mha")]
    [InlineData("image.nrrd")]
    [InlineData("image.png")]
    public void Round_trip_keeps_2D_images(string name)
    {
        using var dir = new TempDirectory();
        var image = Sample2D();
        ImageFile.Write(image, dir.File(name));
        var read = ImageFile.Read(dir.File(name), new ImageReadOptions(new Vec3(0.1, 0.2, 1)));
        if (name.EndsWith(".png")) AssertSameImage(image.WithGeometry(ImageGeometry.Simple(image.Size, new Vec3(0.1, 0.2, 1))), read);
        else AssertSameImage(image, read);
    }

    [Theory]
    [InlineData(0.5f)]   // non-integer: float32
    [InlineData(-3f)]    // negative: int16
    [InlineData(1000f)]  // beyond int16 range: int32
    public void Stored_type_is_lossless(float scale)
    {
        using var dir = new TempDirectory();
        var image = Sample3D(scale);
        foreach (var name in new[] { "a.nii", "a.mha", "a.nrrd" })
        {
            ImageFile.Write(image, dir.File(name));
            Assert.Equal(image.Voxels, ImageFile.Read(dir.File(name)).Voxels);
        }
    }

    [Fact]
    public void Int16_ct_values_stay_exact_through_reading_and_resampling_onto_voxel_centres()
    {
        using var dir = new TempDirectory();
        var g = new ImageGeometry(3, new GridSize(9, 8, 7), new Vec3(0.4, 0.4, 0.6), new WorldMm(-100, 50, 20), GeometryTests.Oblique());
        var ct = Image.Filled(g);
        short[] ends = [short.MinValue, -1024, -1, 0, 1, 3071, short.MaxValue];
        for (int n = 0; n < ct.Voxels.Length; n++) ct.Voxels[n] = n < ends.Length ? ends[n] : (n * 7919) % 4096 - 1024;
        ImageFile.Write(ct, dir.File("ct.nii.gz"));
        var read = ImageFile.Read(dir.File("ct.nii.gz"));
        Assert.Equal(ct.Voxels, read.Voxels);
        // A grid whose voxels fall on the image's centres (every other voxel, from the second): interpolation adds nothing.
        var r = read.Geometry;
        var every2nd = new ImageGeometry(3, new GridSize(4, 4, 3), r.SpacingMm * 2, r.IndexToWorld(new VoxelIndex(1, 1, 1)), r.Direction);
        var resampled = read.Resample(every2nd, Interpolation.Linear);
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 4; j++)
                for (int i = 0; i < 4; i++)
                    Assert.Equal(ct[1 + 2 * i, 1 + 2 * j, 1 + 2 * k], resampled[i, j, k]);
    }

    [Fact]
    public void Sixteen_bit_png_keeps_sixteen_bits()
    {
        using var dir = new TempDirectory();
        var g = ImageGeometry.Simple(new GridSize(300, 2, 1), Vec3.One);
        var image = new Image(g, Enumerable.Range(0, 600).Select(v => (float)(v * 109 % 65536)).ToArray());
        ImageFile.Write(image, dir.File("deep.png"));
        Assert.Equal(image.Voxels, ImageFile.Read(dir.File("deep.png"), new ImageReadOptions(Vec3.One)).Voxels);
    }

    [Fact]
    public void Raster_without_spacing_warns_and_defaults_to_one_mm_and_png_keeps_its_spacing()
    {
        using var dir = new TempDirectory();
        using (var bitmap = new SkiaSharp.SKBitmap(3, 3))
        using (var data = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(dir.File("a.png"), data.ToArray());
        var warnings = new List<string>();
        var image = ImageFile.Read(dir.File("a.png"), new ImageReadOptions(Warn: warnings.Add));
        Assert.Equal(Vec3.One, image.Geometry.SpacingMm);
        Assert.Contains(warnings, w => w.Contains("1 mm") && w.Contains("a.png"));

        // Ours carries its spacing in pHYs (whole pixels per metre); a given spacing still overrides it.
        ImageFile.Write(new Image(ImageGeometry.Simple(new GridSize(3, 3, 1), new Vec3(0.1, 0.2, 1)), new float[9]), dir.File("b.png"));
        var back = ImageFile.Read(dir.File("b.png"), new ImageReadOptions(Warn: w => Assert.Fail(w)));
        Assert.Equal(new Vec3(0.1, 0.2, 1), back.Geometry.SpacingMm);
        Assert.Equal(new Vec3(2, 2, 1), ImageFile.Read(dir.File("b.png"), new ImageReadOptions(new Vec3(2, 2, 1))).Geometry.SpacingMm);
    }

    [Fact]
    public void Colour_jpeg_is_decoded_to_grey()
    {
        using var dir = new TempDirectory();
        using (var bitmap = new SkiaSharp.SKBitmap(16, 8))
        {
            bitmap.Erase(new SkiaSharp.SKColor(200, 200, 200));
            using var data = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 100);
            File.WriteAllBytes(dir.File("grey.jpg"), data.ToArray());
        }
        var image = ImageFile.Read(dir.File("grey.jpg"), new ImageReadOptions(new Vec3(0.1, 0.1, 1)));
        Assert.Equal(new GridSize(16, 8, 1), image.Size);
        Assert.All(image.Voxels, v => Assert.InRange(v, 198, 202));
        Assert.Equal(0.1, image.Geometry.SpacingMm.X);
    }

    /// <summary>A NIfTI-1 header written field by field from the specification, not by our writer.</summary>
    internal static byte[] Nifti1(short datatype, short bitpix, short[] dims, float[] srowRas, byte[] data,
        float slope = 0, float intercept = 0, bool bigEndian = false, short sform = 1, short qform = 0, float[]? quatern = null, float qfac = 1)
    {
        var bytes = new byte[352 + data.Length];
        void I16(int at, short v) { if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(at), v); }
        void I32(int at, int v) { if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), v); }
        void F32(int at, float v) { if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), v); }
        I32(0, 348);
        for (int i = 0; i < 8; i++) I16(40 + 2 * i, i < dims.Length ? dims[i] : (short)1);
        I16(70, datatype);
        I16(72, bitpix);
        F32(76, qfac);
        for (int i = 0; i < 3; i++) F32(80 + 4 * i, Col(srowRas, i)); // pixdim[1..3]
        F32(108, 352);
        F32(112, slope);
        F32(116, intercept);
        I16(252, qform);
        I16(254, sform);
        if (quatern is not null) for (int i = 0; i < 6; i++) F32(256 + 4 * i, quatern[i]);
        for (int i = 0; i < 12; i++) F32(280 + 4 * i, srowRas[i]);
        Encoding.ASCII.GetBytes("n+1\0").CopyTo(bytes, 344);
        data.CopyTo(bytes, 352);
        return bytes;
    }

    private static float Col(float[] srow, int c) => (float)Math.Sqrt(srow[c] * srow[c] + srow[4 + c] * srow[4 + c] + srow[8 + c] * srow[8 + c]);

    [Fact]
    public void Nifti_sform_in_ras_becomes_lps_as_itk_does()
    {
        using var dir = new TempDirectory();
        // 2x2x2 grid, spacing (0.5, 2, 3), axes along +R, +A, +S, origin R=10, A=20, S=30.
        float[] srow = [0.5f, 0, 0, 10, 0, 2, 0, 20, 0, 0, 3, 30];
        File.WriteAllBytes(dir.File("ras.nii"), Nifti1(2, 8, [3, 2, 2, 2], srow, [1, 2, 3, 4, 5, 6, 7, 8]));
        var image = ImageFile.Read(dir.File("ras.nii"));
        Assert.Equal(new WorldMm(-10, -20, 30), image.Geometry.OriginMm);
        Assert.Equal(new Vec3(0.5, 2, 3), image.Geometry.SpacingMm);
        Assert.Equal(new Vec3(-1, 0, 0), image.Geometry.Direction.Column(0));
        Assert.Equal(new Vec3(0, -1, 0), image.Geometry.Direction.Column(1));
        // Voxel (1,1,1) sits at RAS (10.5, 22, 33), LPS (-10.5, -22, 33).
        Assert.Equal(new WorldMm(-10.5, -22, 33), image.Geometry.IndexToWorld(new VoxelIndex(1, 1, 1)));
        Assert.Equal(8, image[1, 1, 1]);
    }

    [Fact]
    public void Nifti_qform_is_used_when_there_is_no_sform()
    {
        using var dir = new TempDirectory();
        // Quaternion (b,c,d) = (0,0,1): 180 degrees about z, i.e. RAS axes -R, -A, +S = LPS +L, +P, +S.
        File.WriteAllBytes(dir.File("q.nii"), Nifti1(2, 8, [3, 2, 2, 1], new float[12], [0, 0, 0, 0],
            sform: 0, qform: 1, quatern: [0, 0, 1, 5, 6, 7]));
        var g = ImageFile.Read(dir.File("q.nii")).Geometry;
        Assert.Equal(new WorldMm(-5, -6, 7), g.OriginMm);
        Assert.Equal(1, g.Direction[0, 0], 6);
        Assert.Equal(1, g.Direction[1, 1], 6);
        Assert.Equal(1, g.Direction[2, 2], 6);
    }

    [Theory]
    [InlineData(2, 8, false)]   // uint8
    [InlineData(4, 16, true)]   // int16, big-endian
    [InlineData(512, 16, false)] // uint16
    [InlineData(8, 32, true)]   // int32, big-endian
    [InlineData(16, 32, false)] // float32
    [InlineData(64, 64, true)]  // float64, big-endian
    public void Nifti_reads_each_datatype_in_either_byte_order_with_scaling(short datatype, short bitpix, bool bigEndian)
    {
        using var dir = new TempDirectory();
        double[] values = [0, 1, 2, 100];
        var data = new byte[values.Length * bitpix / 8];
        for (int n = 0; n < values.Length; n++)
        {
            var slot = data.AsSpan(n * bitpix / 8);
            switch (datatype)
            {
                case 2: slot[0] = (byte)values[n]; break;
                case 4: if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(slot, (short)values[n]); else BinaryPrimitives.WriteInt16LittleEndian(slot, (short)values[n]); break;
                case 512: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)values[n]); break;
                case 8: BinaryPrimitives.WriteInt32BigEndian(slot, (int)values[n]); break;
                case 16: BinaryPrimitives.WriteSingleLittleEndian(slot, (float)values[n]); break;
                case 64: BinaryPrimitives.WriteDoubleBigEndian(slot, values[n]); break;
            }
        }
        float[] srow = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
        File.WriteAllBytes(dir.File("t.nii"), Nifti1(datatype, bitpix, [3, 2, 2, 1], srow, data, slope: 2, intercept: -1, bigEndian: bigEndian));
        Assert.Equal([-1f, 1f, 3f, 199f], ImageFile.Read(dir.File("t.nii")).Voxels);
    }

    [Fact]
    public void Nifti2_header_is_read()
    {
        using var dir = new TempDirectory();
        var bytes = new byte[544 + 6];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, 540);
        Encoding.ASCII.GetBytes("n+2\0\r\n\x1A\n").CopyTo(bytes, 4);
        BinaryPrimitives.WriteInt16LittleEndian(s[12..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[14..], 8);
        long[] dims = [2, 3, 2, 1, 1, 1, 1, 1];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt64LittleEndian(s[(16 + 8 * i)..], dims[i]);
        double[] pixdim = [1, 0.25, 0.5, 1, 0, 0, 0, 0];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteDoubleLittleEndian(s[(104 + 8 * i)..], pixdim[i]);
        BinaryPrimitives.WriteInt64LittleEndian(s[168..], 544);
        BinaryPrimitives.WriteInt32LittleEndian(s[348..], 1); // sform
        double[] srow = [0.25, 0, 0, 1.5, 0, 0.5, 0, -2, 0, 0, 1, 0];
        for (int i = 0; i < 12; i++) BinaryPrimitives.WriteDoubleLittleEndian(s[(400 + 8 * i)..], srow[i]);
        new byte[] { 1, 2, 3, 4, 5, 6 }.CopyTo(bytes, 544);
        File.WriteAllBytes(dir.File("two.nii"), bytes);
        var image = ImageFile.Read(dir.File("two.nii"));
        Assert.Equal(2, image.Dimension);
        Assert.Equal(new GridSize(3, 2, 1), image.Size);
        Assert.Equal(new WorldMm(-1.5, 2, 0), image.Geometry.OriginMm);
        Assert.Equal(new Vec3(0.25, 0.5, 1), image.Geometry.SpacingMm);
        Assert.Equal([1f, 2, 3, 4, 5, 6], image.Voxels);
    }

    [Fact]
    public void Quaternion_conversion_round_trips_for_proper_and_improper_rotations()
    {
        foreach (var r in new[] { GeometryTests.Oblique(), GeometryTests.Oblique() * Matrix3.Diagonal(new Vec3(1, 1, -1)), Matrix3.Diagonal(new Vec3(-1, -1, 1)) })
        {
            var (b, c, d, qfac) = NiftiFormat.RotationToQuaternion(r);
            var back = NiftiFormat.QuaternionToRotation(b, c, d, qfac);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    Assert.Equal(r[i, j], back[i, j], 9);
        }
    }

    [Fact]
    public void MetaImage_transform_matrix_lists_axis_directions_in_turn()
    {
        using var dir = new TempDirectory();
        // Axis i points along -y, axis j along +x (a 90 degree rotation).
        string header = "ObjectType = Image\nNDims = 2\nBinaryData = True\nBinaryDataByteOrderMSB = True\nTransformMatrix = 0 -1 1 0\n" +
                        "Offset = 1 2\nElementSpacing = 0.5 0.25\nDimSize = 2 1\nElementType = MET_SHORT\nElementDataFile = LOCAL\n";
        File.WriteAllBytes(dir.File("m.mha"), [.. Encoding.ASCII.GetBytes(header), 0x01, 0x00, 0xFF, 0xFE]);
        var image = ImageFile.Read(dir.File("m.mha"));
        Assert.Equal([256f, -2f], image.Voxels);
        Assert.Equal(new WorldMm(1, 1.5, 0), image.Geometry.IndexToWorld(new VoxelIndex(1, 0, 0)));
        Assert.Equal(new WorldMm(1.25, 2, 0), image.Geometry.IndexToWorld(new VoxelIndex(0, 1, 0)));
    }

    [Fact]
    public void Nrrd_in_ras_space_becomes_lps_and_detached_raw_data_is_read()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("d.nhdr"),
            "NRRD0004\n# comment\ntype: short\ndimension: 3\nspace: right-anterior-superior\nsizes: 2 1 1\n" +
            "space directions: (0.5,0,0) (0,2,0) (0,0,3)\nkinds: domain domain domain\nendian: big\nencoding: raw\n" +
            "space origin: (10,20,30)\ndata file: d.raw\n\n");
        File.WriteAllBytes(dir.File("d.raw"), [0x00, 0x07, 0xFF, 0xFF]);
        var image = ImageFile.Read(dir.File("d.nhdr"));
        Assert.Equal([7f, -1f], image.Voxels);
        Assert.Equal(new WorldMm(-10, -20, 30), image.Geometry.OriginMm);
        Assert.Equal(new WorldMm(-10.5, -20, 30), image.Geometry.IndexToWorld(new VoxelIndex(1, 0, 0)));
    }

    [Fact]
    public void Nrrd_ascii_encoding_is_read()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.nrrd"), "NRRD0001\ntype: float\ndimension: 2\nsizes: 3 1\nspacings: 0.5 0.5\nencoding: ascii\n\n1.5 2\n-3\n");
        var image = ImageFile.Read(dir.File("a.nrrd"));
        Assert.Equal([1.5f, 2f, -3f], image.Voxels);
        Assert.Equal(0.5, image.Geometry.SpacingMm.X);
    }

    [Fact]
    public void Interrupted_write_leaves_the_old_file_in_place()
    {
        using var dir = new TempDirectory();
        string path = dir.File("keep.nrrd");
        ImageFile.Write(Sample3D(), path);
        byte[] before = File.ReadAllBytes(path);
        Assert.ThrowsAny<Exception>(() => IO.AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new InvalidOperationException("interrupted");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Gzip_nifti_is_recognised_by_content()
    {
        using var dir = new TempDirectory();
        ImageFile.Write(Sample3D(), dir.File("x.nii.gz"));
        using (var gz = new GZipStream(File.OpenRead(dir.File("x.nii.gz")), CompressionMode.Decompress))
        {
            var header = new byte[4];
            gz.ReadExactly(header);
            Assert.Equal(348, BitConverter.ToInt32(header));
        }
    }
}
