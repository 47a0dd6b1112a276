using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

/// <summary>Every malformed file is refused with an <see cref="InvalidFileException"/> naming the file and the reason.</summary>
public class MalformedFileTests
{
    private static readonly Image Small = new(
        new ImageGeometry(3, new GridSize(16, 16, 8), new Vec3(1, 1, 2), new WorldMm(0, 0, 0), Matrix3.Identity),
        Enumerable.Range(0, 16 * 16 * 8).Select(v => (float)(v % 200) + 0.5f).ToArray());

    private static void AssertRefused(string path, string reasonFragment)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidFileException>(() => ImageFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(reasonFragment, e.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < 64 << 20, $"allocated {allocated} bytes before refusing");
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    [Theory]
    [InlineData("bad.nii", "not a NIfTI")]
    [InlineData("bad.nii.gz", "not a NIfTI")]
    [InlineData("bad.mha", "MetaImage")]
    [InlineData("bad.nrrd", "not a NRRD")]
    [InlineData("bad.png", "not a readable PNG")]
    [InlineData("bad.jpg", "not a readable JPG")]
    [InlineData("bad.bmp", "not a readable BMP")]
    public void Wrong_magic_is_refused(string name, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File(name), Encoding.ASCII.GetBytes("this is plain text, not an image at all\nsecond line\n"));
        AssertRefused(dir.File(name), reason);
    }

    [Theory]
    [InlineData("t.nii", "truncated")]
    [InlineData("t.mha", "ends early")]
    [InlineData("t.nrrd", "ends early")]
    [InlineData("t.png", "truncated")]
    public void Truncated_files_are_refused(string name, string reason)
    {
        using var dir = new TempDirectory();
        var image = name.EndsWith(".png") ? new Image(ImageGeometry.Simple(new GridSize(64, 64, 1), Vec3.One), Enumerable.Range(0, 4096).Select(v => (float)(v % 251)).ToArray()) : Small;
        ImageFile.Write(image, dir.File(name));
        var bytes = File.ReadAllBytes(dir.File(name));
        File.WriteAllBytes(dir.File(name), bytes[..(bytes.Length * 2 / 3)]);
        AssertRefused(dir.File(name), reason);
    }

    [Fact]
    public void Nrrd_cut_inside_its_header_is_called_truncated()
    {
        using var dir = new TempDirectory();
        ImageFile.Write(Small, dir.File("h.nrrd"));
        var bytes = File.ReadAllBytes(dir.File("h.nrrd"));
        File.WriteAllBytes(dir.File("h.nrrd"), bytes[..120]);
        AssertRefused(dir.File("h.nrrd"), "truncated");
    }

    [Fact]
    public void Gzip_stream_ending_early_is_refused()
    {
        using var dir = new TempDirectory();
        ImageFile.Write(Small, dir.File("g.nii.gz"));
        var bytes = File.ReadAllBytes(dir.File("g.nii.gz"));
        File.WriteAllBytes(dir.File("g.nii.gz"), bytes[..(bytes.Length - 40)]);
        var e = Assert.Throws<InvalidFileException>(() => ImageFile.Read(dir.File("g.nii.gz")));
        Assert.Matches("ends early|truncated|corrupt", e.Reason);
    }

    [Fact]
    public void Nifti_asking_for_a_trillion_voxels_is_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        float[] srow = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
        File.WriteAllBytes(dir.File("huge.nii"), ImageFormatTests.Nifti1(2, 8, [3, 10000, 10000, 10000], srow, new byte[16]));
        AssertRefused(dir.File("huge.nii"), "voxels");
    }

    [Fact]
    public void Compressed_nifti_claiming_more_than_its_data_can_hold_is_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        float[] srow = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
        File.WriteAllBytes(dir.File("big.nii.gz"), Gzip(ImageFormatTests.Nifti1(16, 32, [3, 1000, 1000, 500], srow, new byte[64])));
        AssertRefused(dir.File("big.nii.gz"), "compressed bytes can hold");
    }

    [Theory]
    [InlineData("NDims = 3\nDimSize = 100000 100000 100000\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", "voxels")]
    [InlineData("NDims = 3\nDimSize = 2 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", "expected 3 sizes")]
    [InlineData("NDims = 2\nDimSize = 2 2\nElementType = MET_LONG_LONG\nElementDataFile = LOCAL\n", "unsupported ElementType")]
    [InlineData("NDims = 2\nDimSize = 2 2\nElementSpacing = 0 1\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", "spacing")]
    [InlineData("NDims = 2\nDimSize = 2 2\nOffset = nan 0\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", "not a finite number")]
    [InlineData("NDims = 2\nDimSize = 2 2\nElementType = MET_UCHAR\nElementDataFile = missing.raw\n", "not found")]
    [InlineData("NDims = 2\nDimSize = 2 2\nElementType = MET_UCHAR\n", "without ElementDataFile")]
    public void Absurd_metaimage_headers_are_refused(string header, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("h.mha"), "ObjectType = Image\n" + header);
        AssertRefused(dir.File("h.mha"), reason);
    }

    [Theory]
    [InlineData("type: uchar\ndimension: 3\nsizes: 100000 100000 100000\nencoding: raw\n", "voxels")]
    [InlineData("type: uchar\ndimension: 3\nsizes: 100 100 100\nencoding: gzip\n", "compressed bytes can hold")]
    [InlineData("type: uchar\ndimension: 2\nsizes: 2 2\nencoding: bzip2\n", "encoding")]
    [InlineData("type: complex\ndimension: 2\nsizes: 2 2\nencoding: raw\n", "unsupported type")]
    [InlineData("type: uchar\ndimension: 3\nspace: scanner-unknown\nsizes: 2 2 2\nencoding: raw\n", "space")]
    [InlineData("type: uchar\ndimension: 3\nsizes: 2 2 2\nspace: LPS\nspace directions: (1,0,0) (0,0,0) (0,0,1)\nencoding: raw\n", "zero")]
    public void Absurd_nrrd_headers_are_refused(string header, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("h.nrrd"), "NRRD0004\n" + header + "\nxx");
        AssertRefused(dir.File("h.nrrd"), reason);
    }

    [Fact]
    public void Missing_file_and_unknown_extension_are_refused()
    {
        using var dir = new TempDirectory();
        AssertRefused(dir.File("absent.nii"), "not found");
        File.WriteAllText(dir.File("scan.xyz"), "x");
        AssertRefused(dir.File("scan.xyz"), "unsupported image format");
    }

    [Theory]
    [InlineData("l.csv", "name,x,y,z\nsella,1,NaN,3\n", "not a finite")]
    [InlineData("l.csv", "name,x,y,z\nsella,1,abc,3\n", "not a number")]
    [InlineData("l.csv", "label,a,b\nsella,1,2\n", "header")]
    [InlineData("l.csv", "name,x,y,z\nsella,1,2,3\nsella,4,5,6\n", "appears 2 times")]
    [InlineData("l.json", "{\"landmarks\": [{\"name\": \"a\", \"position\": [1, \"x\", 2]}]}", "finite numbers")]
    [InlineData("l.json", "{\"landmarks\": [", "invalid JSON")]
    [InlineData("l.mrk.json", "{\"markups\": [{\"coordinateSystem\": \"XYZ\", \"controlPoints\": []}]}", "coordinate system")]
    [InlineData("l.fcsv", "x,y,z\n1,2,3\n", "not a Slicer fiducial file")]
    public void Malformed_landmark_files_are_refused(string name, string content, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(name), content);
        var e = Assert.Throws<InvalidFileException>(() => LandmarkFile.Read(dir.File(name)));
        Assert.Equal(dir.File(name), e.FilePath);
        Assert.Contains(reason, e.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Isbi_file_with_too_few_lines_is_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("001.txt"), "1,2\n3,4\n");
        var grid = ImageGeometry.Simple(new GridSize(10, 10, 1), new Vec3(0.1, 0.1, 1));
        var e = Assert.Throws<InvalidFileException>(() => LandmarkFile.Read(dir.File("001.txt"), grid, ["a", "b", "c"]));
        Assert.Contains("2 landmark lines where 3 are expected", e.Reason);
    }
}
