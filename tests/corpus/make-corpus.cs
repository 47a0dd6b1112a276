#:project ../../src/Landmarks.Imaging/Landmarks.Imaging.csproj
#:project ../../src/Landmarks.Inference/Landmarks.Inference.csproj
#:property PublishAot=false
// Writes the malformed-file corpus of tests/corpus/malformed: each file a valid file of ours (or a hand-made header)
// with one thing broken. Run from the repository root: dotnet run tests/corpus/make-corpus.cs
// The files are committed; tests/Landmarks.Cli.Tests/CorpusTests.cs runs the tool on each and expects the refusal that
// tests/corpus/malformed/expected.tsv (kept by hand) names: the command that reads the file and a fragment of the reason.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using Landmarks.Inference.Model;

string root = Path.Combine("tests", "corpus", "malformed");
Directory.CreateDirectory(root);
// Files are overwritten, never cleared first: the inputs fuzzing found are kept there as found and cannot be made here
// (CorpusTests fails on a file without an expectation, so a renamed entry leaves no stale file unnoticed).
string scratch = Directory.CreateTempSubdirectory("corpus").FullName;

var volume = new Image(new ImageGeometry(3, new GridSize(6, 5, 4), new Vec3(0.5, 0.5, 1), new WorldMm(-1, 2, 3), Matrix3.Identity),
    [.. Enumerable.Range(0, 120).Select(v => (float)(v % 50))]);
var picture = new Image(ImageGeometry.Simple(new GridSize(8, 6, 1), new Vec3(0.1, 0.1, 1)), [.. Enumerable.Range(0, 48).Select(v => (float)(v * 5))]);
byte[] Valid(Image image, string extension)
{
    string path = Path.Combine(scratch, "valid" + extension);
    ImageFile.Write(image, path);
    return File.ReadAllBytes(path);
}

void Put(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(root, name), bytes);
void Text(string name, string text) => Put(name, Encoding.UTF8.GetBytes(text));
byte[] With(byte[] source, Action<byte[]> change) { var copy = (byte[])source.Clone(); change(copy); return copy; }
byte[] Gzip(byte[] data)
{
    using var output = new MemoryStream();
    using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
    return output.ToArray();
}

// NIfTI-1: offsets of the header fields in the standard's 348-byte header.
var nifti = Valid(volume, ".nii");
void I16(byte[] b, int at, short v) => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(at), v);
void F32(byte[] b, int at, float v) => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(at), v);
Put("nifti-empty.nii", []);
Put("nifti-header-cut.nii", nifti[..200]);
Put("nifti-data-cut.nii", nifti[..(nifti.Length - 100)]);
Put("nifti-sizeof-hdr-0.nii", With(nifti, b => BinaryPrimitives.WriteInt32LittleEndian(b, 0)));
Put("nifti-magic-wrong.nii", With(nifti, b => Encoding.ASCII.GetBytes("xyz\0").CopyTo(b, 344)));
Put("nifti-dim0-zero.nii", With(nifti, b => I16(b, 40, 0)));
Put("nifti-dim0-nine.nii", With(nifti, b => I16(b, 40, 9)));
Put("nifti-dim1-negative.nii", With(nifti, b => I16(b, 42, -6)));
Put("nifti-dims-huge.nii", With(nifti, b => { I16(b, 42, 32767); I16(b, 44, 32767); I16(b, 46, 32767); }));
Put("nifti-datatype-unknown.nii", With(nifti, b => I16(b, 70, 999)));
Put("nifti-bitpix-wrong.nii", With(nifti, b => I16(b, 72, 7)));
Put("nifti-pixdim-nan.nii", With(nifti, b => { I16(b, 252, 1); I16(b, 254, 0); F32(b, 84, float.NaN); }));
Put("nifti-pixdim-tiny.nii", With(nifti, b => { I16(b, 252, 0); I16(b, 254, 0); F32(b, 80, 1e-20f); }));
Put("nifti-vox-offset-nan.nii", With(nifti, b => F32(b, 108, float.NaN)));
Put("nifti-vox-offset-negative.nii", With(nifti, b => F32(b, 108, -352)));
Put("nifti-vox-offset-huge.nii", With(nifti, b => F32(b, 108, 1e30f)));
Put("nifti-vox-offset-inside-header.nii", With(nifti, b => F32(b, 108, 100)));
Put("nifti-scl-slope-nan.nii", With(nifti, b => F32(b, 112, float.NaN)));
Put("nifti-scl-inter-infinite.nii", With(nifti, b => { F32(b, 112, 2); F32(b, 116, float.PositiveInfinity); }));
Put("nifti-quaternion-nan.nii", With(nifti, b => { I16(b, 252, 1); I16(b, 254, 0); F32(b, 256, float.NaN); }));
Put("nifti-srow-singular.nii", With(nifti, b => { I16(b, 252, 0); I16(b, 254, 1); for (int k = 0; k < 12; k++) F32(b, 280 + 4 * k, 0); }));
Put("nifti-srow-nan.nii", With(nifti, b => { I16(b, 252, 0); I16(b, 254, 1); F32(b, 280, float.NaN); }));
Put("nifti-gzip-cut.nii.gz", Gzip(nifti)[..60]);
Put("nifti-gzip-of-text.nii.gz", Gzip(Encoding.ASCII.GetBytes("not an image at all, only words\n")));
// NIfTI-2: a 540-byte header with 64-bit dimensions.
var nifti2 = new byte[560];
BinaryPrimitives.WriteInt32LittleEndian(nifti2, 540);
Encoding.ASCII.GetBytes("n+2\0\r\n\u001a\n").CopyTo(nifti2, 4);
BinaryPrimitives.WriteInt16LittleEndian(nifti2.AsSpan(12), 16); // float32
BinaryPrimitives.WriteInt16LittleEndian(nifti2.AsSpan(14), 32);
long[] dims2 = [3, long.MaxValue / 4, 1L << 40, 1 << 20, 1, 1, 1, 1];
for (int k = 0; k < 8; k++) BinaryPrimitives.WriteInt64LittleEndian(nifti2.AsSpan(16 + 8 * k), dims2[k]);
for (int k = 0; k < 8; k++) BinaryPrimitives.WriteDoubleLittleEndian(nifti2.AsSpan(104 + 8 * k), 1);
BinaryPrimitives.WriteInt64LittleEndian(nifti2.AsSpan(168), 544);
Put("nifti2-dims-huge.nii", nifti2);
Put("nifti2-header-cut.nii", nifti2[..300]);

// MetaImage: a text header, then the voxels (.mha) or a separate data file (.mhd).
var mha = Valid(volume, ".mha");
string mhaText = Encoding.Latin1.GetString(mha);
int dataAt = mhaText.IndexOf("ElementDataFile = LOCAL\n", StringComparison.Ordinal) + "ElementDataFile = LOCAL\n".Length;
string header = mhaText[..dataAt];
byte[] voxels = mha[dataAt..];
byte[] Mha(Func<string, string> edit) => [.. Encoding.Latin1.GetBytes(edit(header)), .. voxels];
string Field(string h, string key, string value) =>
    string.Join('\n', h.Split('\n').Select(line => line.StartsWith(key + " ", StringComparison.Ordinal) ? $"{key} = {value}" : line));
string Without(string h, string key) => string.Join('\n', h.Split('\n').Where(line => !line.StartsWith(key + " ", StringComparison.Ordinal)));
Put("metaimage-ndims-missing.mha", Mha(h => Without(h, "NDims")));
Put("metaimage-ndims-zero.mha", Mha(h => Field(h, "NDims", "0")));
Put("metaimage-ndims-word.mha", Mha(h => Field(h, "NDims", "three")));
Put("metaimage-dimsize-missing.mha", Mha(h => Without(h, "DimSize")));
Put("metaimage-dimsize-negative.mha", Mha(h => Field(h, "DimSize", "6 -5 4")));
Put("metaimage-dimsize-count.mha", Mha(h => Field(h, "DimSize", "6 5")));
Put("metaimage-dimsize-huge.mha", Mha(h => Field(h, "DimSize", "2000000000 2000000000 2000000000")));
Put("metaimage-elementtype-unknown.mha", Mha(h => Field(h, "ElementType", "MET_COMPLEX")));
Put("metaimage-spacing-subnormal.mha", Mha(h => Field(h, "ElementSpacing", "1e-320 1 1")));
Put("metaimage-spacing-huge.mha", Mha(h => Field(h, "ElementSpacing", "1e308 1 1")));
Put("metaimage-spacing-zero.mha", Mha(h => Field(h, "ElementSpacing", "0 1 1")));
Put("metaimage-spacing-word.mha", Mha(h => Field(h, "ElementSpacing", "one 1 1")));
Put("metaimage-offset-nan.mha", Mha(h => Field(h, "Offset", "NaN 0 0")));
Put("metaimage-matrix-singular.mha", Mha(h => Field(h, "TransformMatrix", "1 0 0 1 0 0 0 0 1")));
Put("metaimage-datafile-missing.mha", Mha(h => Without(h, "ElementDataFile")));
Put("metaimage-data-cut.mha", Mha(h => h)[..(mha.Length - 50)]);
Put("metaimage-compressed-garbage.mha", [.. Encoding.Latin1.GetBytes(Field(header, "CompressedData", "True").Replace("ElementDataFile", "CompressedDataSize = 40\nElementDataFile")), .. new byte[40]]);
// zlib data asking for a preset dictionary (header 0x78 0x20: FDICT set, check value valid): found by fuzzing, minimised.
Put("metaimage-zlib-preset-dictionary.mha", [.. Encoding.Latin1.GetBytes(Field(header, "CompressedData", "True").Replace("ElementDataFile", "CompressedDataSize = 40\nElementDataFile")), 0x78, 0x20, .. new byte[38]]);
Put("metaimage-zlib-garbage.mha", [.. Encoding.Latin1.GetBytes(Field(header, "CompressedData", "True").Replace("ElementDataFile", "CompressedDataSize = 40\nElementDataFile")), 0x78, 0x9C, .. Enumerable.Repeat((byte)0xFF, 38)]);
Text("metaimage-detached-missing.mhd", header.Replace("ElementDataFile = LOCAL", "ElementDataFile = nowhere.raw"));
Text("metaimage-header-only.mha", "ObjectType = Image\n");

// NRRD: text header, a blank line, the data (raw or gzip).
string NrrdHeader(string type = "float", string sizes = "6 5 4", string encoding = "raw", string extra = "") =>
    $"NRRD0004\ntype: {type}\ndimension: 3\nsizes: {sizes}\nspace: left-posterior-superior\n" +
    $"space directions: (0.5,0,0) (0,0.5,0) (0,0,1)\nspace origin: (0,0,0)\nendian: little\nencoding: {encoding}\n{extra}\n";
byte[] floats = new byte[120 * 4];
byte[] Nrrd(string head, byte[]? data = null) => [.. Encoding.ASCII.GetBytes(head), .. data ?? floats];
Put("nrrd-magic-wrong.nrrd", Nrrd(NrrdHeader().Replace("NRRD0004", "NRRX0004")));
Put("nrrd-dimension-zero.nrrd", Nrrd(NrrdHeader().Replace("dimension: 3", "dimension: 0")));
Put("nrrd-dimension-word.nrrd", Nrrd(NrrdHeader().Replace("dimension: 3", "dimension: three")));
Put("nrrd-sizes-missing.nrrd", Nrrd(NrrdHeader().Replace("sizes: 6 5 4\n", "")));
Put("nrrd-sizes-negative.nrrd", Nrrd(NrrdHeader(sizes: "6 -5 4")));
Put("nrrd-sizes-count.nrrd", Nrrd(NrrdHeader(sizes: "6 5")));
Put("nrrd-sizes-huge.nrrd", Nrrd(NrrdHeader(sizes: "4000000000 4000000000 4000000000")));
Put("nrrd-type-unknown.nrrd", Nrrd(NrrdHeader(type: "quaternion")));
Put("nrrd-encoding-unknown.nrrd", Nrrd(NrrdHeader(encoding: "bzip2")));
Put("nrrd-endian-unknown.nrrd", Nrrd(NrrdHeader().Replace("endian: little", "endian: middle")));
Put("nrrd-directions-singular.nrrd", Nrrd(NrrdHeader().Replace("(0,0.5,0)", "(0.5,0,0)")));
Put("nrrd-directions-tiny.nrrd", Nrrd(NrrdHeader().Replace("(0.5,0,0) (0,0.5,0) (0,0,1)", "(1e-9,0,0) (0,1e-9,0) (0,0,1e-9)")));
Put("nrrd-directions-count.nrrd", Nrrd(NrrdHeader().Replace("(0.5,0,0) (0,0.5,0) (0,0,1)", "(0.5,0,0) (0,0.5,0)")));
Put("nrrd-origin-empty.nrrd", Nrrd(NrrdHeader().Replace("space origin: (0,0,0)", "space origin: ")));
Put("nrrd-origin-twice.nrrd", Nrrd(NrrdHeader().Replace("space origin: (0,0,0)", "space origin: (0,0,0)\nspace origin: (1,1,1)")));
Put("nrrd-origin-nan.nrrd", Nrrd(NrrdHeader().Replace("space origin: (0,0,0)", "space origin: (nan,0,0)")));
Put("nrrd-byteskip-huge-gzip.nrrd", Nrrd(NrrdHeader(encoding: "gzip", extra: "byte skip: 9223372036854775807\n"), Gzip(floats)));
Put("nrrd-byteskip-negative-gzip.nrrd", Nrrd(NrrdHeader(encoding: "gzip", extra: "byte skip: -5\n"), Gzip(floats)));
Put("nrrd-lineskip-huge.nrrd", Nrrd(NrrdHeader(extra: "line skip: 2000000000\n")));
Put("nrrd-data-cut.nrrd", Nrrd(NrrdHeader(), floats[..100]));
Put("nrrd-gzip-garbage.nrrd", Nrrd(NrrdHeader(encoding: "gzip"), new byte[64]));
Put("nrrd-header-cut.nrrd", Encoding.ASCII.GetBytes(NrrdHeader()[..40]));
Text("nrrd-detached-missing.nhdr", NrrdHeader().Replace("encoding: raw\n", "encoding: raw\ndata file: nowhere.raw\n"));

// PNG: chunks with their CRC recomputed, so the reader meets the broken field and not a checksum.
var png = Valid(picture, ".png");
uint Crc(ReadOnlySpan<byte> data)
{
    uint crc = 0xFFFFFFFF;
    foreach (byte b in data) { crc ^= b; for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1)); }
    return ~crc;
}
byte[] PngIhdr(Action<byte[]> change) => With(png, b =>
{
    change(b); // IHDR data is bytes 16..29 of the file, its CRC at 29..33.
    BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(29), Crc(b.AsSpan(12, 17)));
});
Put("png-size-huge.png", PngIhdr(b => { BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), 30000); BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), 30000); }));
Put("png-size-huge-tiny-file.png", PngIhdr(b => { BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), 23100); BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), 23100); }));
Put("png-width-zero.png", PngIhdr(b => BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), 0)));
Put("png-bitdepth-invalid.png", PngIhdr(b => b[24] = 3));
Put("png-colortype-invalid.png", PngIhdr(b => b[25] = 7));
Put("png-cut.png", png[..(png.Length / 2)]);
Put("png-signature-only.png", png[..8]);
// A 16-bit PNG (decoded by our own inflater, not Skia) whose zlib data asks for a preset dictionary.
var png16 = Valid(new Image(picture.Geometry, [.. picture.Voxels.Select(v => v * 200)]), ".png");
Put("png16-zlib-preset-dictionary.png", With(png16, b =>
{
    int at = Encoding.ASCII.GetString(b).IndexOf("IDAT", StringComparison.Ordinal) + 4, length = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(at - 8));
    (b[at], b[at + 1]) = (0x78, 0x20);
    BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at + length), Crc(b.AsSpan(at - 4, 4 + length)));
}));
Put("png-idat-zeros.png", With(png, b => { int at = Encoding.ASCII.GetString(b).IndexOf("IDAT", StringComparison.Ordinal) + 4; Array.Clear(b, at, Math.Min(20, b.Length - at - 12)); }));

// JPEG and BMP, decoded by Skia.
byte[] jpeg;
using (var bitmap = new SkiaSharp.SKBitmap(8, 6, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque))
using (var encoded = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90)) jpeg = encoded.ToArray();
Put("jpeg-cut.jpg", jpeg[..(jpeg.Length / 3)]);
Put("jpeg-soi-only.jpg", [0xFF, 0xD8]);
Put("jpeg-size-huge.jpg", With(jpeg, b =>
{
    for (int k = 2; k + 9 < b.Length; k++)
        if (b[k] == 0xFF && b[k + 1] is 0xC0 or 0xC2) { BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(k + 5), 65000); BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(k + 7), 65000); break; }
}));
var bmp = new byte[54 + 8 * 6 * 3];
"BM"u8.CopyTo(bmp);
BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 8);
BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 6);
BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
Put("bmp-size-huge.bmp", With(bmp, b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), 60000); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), 60000); }));
Put("bmp-cut.bmp", bmp[..40]);
Put("bmp-bitcount-invalid.bmp", With(bmp, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 13)));

// DICOM: explicit VR little endian, written element by element.
byte[] Element(ushort group, ushort element, string vr, byte[] value)
{
    if (value.Length % 2 == 1) value = [.. value, vr is "UI" ? (byte)0 : (byte)' '];
    var head = new List<byte>();
    head.AddRange(BitConverter.GetBytes(group)); head.AddRange(BitConverter.GetBytes(element)); head.AddRange(Encoding.ASCII.GetBytes(vr));
    if (vr is "OB" or "OW" or "SQ" or "UN" or "UT") { head.AddRange([0, 0]); head.AddRange(BitConverter.GetBytes((uint)value.Length)); }
    else head.AddRange(BitConverter.GetBytes((ushort)value.Length));
    return [.. head, .. value];
}
byte[] Us(ushort v) => BitConverter.GetBytes(v);
byte[] Str(string s) => Encoding.ASCII.GetBytes(s);
byte[] Dicom(string transferSyntax = "1.2.840.10008.1.2.1", ushort rows = 6, ushort columns = 8, ushort bits = 16, byte[]? pixels = null, byte[]? extra = null)
{
    var meta = Element(0x0002, 0x0010, "UI", Str(transferSyntax));
    byte[] body =
    [
        .. Element(0x0008, 0x0060, "CS", Str("CT")),
        .. Element(0x0020, 0x0032, "DS", Str("0\\0\\0")),
        .. Element(0x0020, 0x0037, "DS", Str("1\\0\\0\\0\\1\\0")),
        .. Element(0x0028, 0x0002, "US", Us(1)),
        .. Element(0x0028, 0x0004, "CS", Str("MONOCHROME2")),
        .. Element(0x0028, 0x0010, "US", Us(rows)),
        .. Element(0x0028, 0x0011, "US", Us(columns)),
        .. Element(0x0028, 0x0030, "DS", Str("0.5\\0.5")),
        .. Element(0x0028, 0x0100, "US", Us(bits)),
        .. Element(0x0028, 0x0101, "US", Us(bits)),
        .. Element(0x0028, 0x0102, "US", Us((ushort)(bits - 1))),
        .. Element(0x0028, 0x0103, "US", Us(0)),
        .. extra ?? [],
        .. Element(0x7FE0, 0x0010, "OW", pixels ?? new byte[rows * columns * 2]),
    ];
    return [.. new byte[128], .. "DICM"u8, .. Element(0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)meta.Length)), .. meta, .. body];
}
var dicom = Dicom();
Put("dicom-preamble-only.dcm", [.. new byte[128], .. "DICM"u8]);
Put("dicom-cut-in-element.dcm", dicom[..(dicom.Length - 60)]);
Put("dicom-pixels-short.dcm", Dicom(pixels: new byte[20]));
Put("dicom-rows-zero.dcm", Dicom(rows: 0));
Put("dicom-size-huge.dcm", Dicom(rows: 65535, columns: 65535, pixels: new byte[64]));
Put("dicom-bits-12.dcm", Dicom(bits: 12));
Put("dicom-transfer-syntax-unknown.dcm", Dicom(transferSyntax: "1.2.3.4.5.6"));
Put("dicom-deflated-garbage.dcm", Dicom(transferSyntax: "1.2.840.10008.1.2.1.99"));  // the data set left as it is: not deflate
Put("dicom-jpeg2000.dcm", Dicom(transferSyntax: "1.2.840.10008.1.2.4.90"));
Put("dicom-element-length-huge.dcm", With(dicom, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(b.Length - 8 * 6 * 2 - 4), 0xFFFFFFF0)));
Put("dicom-spacing-zero.dcm", With(dicom, b => Encoding.ASCII.GetBytes("0.0\\0.5").CopyTo(b, Encoding.ASCII.GetString(b).IndexOf("0.5\\0.5", StringComparison.Ordinal))));
// Encapsulated pixel data: an item that is not an item, for the lossless JPEG and RLE decoders.
byte[] Encapsulated(byte[] fragment) =>
[
    .. BitConverter.GetBytes((ushort)0x7FE0), .. BitConverter.GetBytes((ushort)0x0010), .. "OB"u8, 0, 0, .. BitConverter.GetBytes(0xFFFFFFFF),
    .. BitConverter.GetBytes((ushort)0xFFFE), .. BitConverter.GetBytes((ushort)0xE000), .. BitConverter.GetBytes(0u),
    .. BitConverter.GetBytes((ushort)0xFFFE), .. BitConverter.GetBytes((ushort)0xE000), .. BitConverter.GetBytes((uint)fragment.Length), .. fragment,
    .. BitConverter.GetBytes((ushort)0xFFFE), .. BitConverter.GetBytes((ushort)0xE0DD), .. BitConverter.GetBytes(0u),
];
byte[] WithPixels(byte[] file, byte[] pixelElement)
{
    int at = file.Length - (6 * 8 * 2 + 12);
    return [.. file[..at], .. pixelElement];
}
var rleHeader = new byte[64];
BinaryPrimitives.WriteUInt32LittleEndian(rleHeader, 99);
Put("dicom-rle-segments-99.dcm", WithPixels(Dicom(transferSyntax: "1.2.840.10008.1.2.5"), Encapsulated(rleHeader)));
var rleOffsets = new byte[80];
BinaryPrimitives.WriteUInt32LittleEndian(rleOffsets, 2);
BinaryPrimitives.WriteUInt32LittleEndian(rleOffsets.AsSpan(4), 64);
BinaryPrimitives.WriteUInt32LittleEndian(rleOffsets.AsSpan(8), 1_000_000);
Put("dicom-rle-offset-beyond.dcm", WithPixels(Dicom(transferSyntax: "1.2.840.10008.1.2.5"), Encapsulated(rleOffsets)));
Put("dicom-jpeg-lossless-garbage.dcm", WithPixels(Dicom(transferSyntax: "1.2.840.10008.1.2.4.70"), Encapsulated([0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 16, 0, 6, 0, 8, 1, 1, 0x11, 0, 0xFF, 0xD9])));
Put("dicom-jpeg-lossless-no-frame.dcm", WithPixels(Dicom(transferSyntax: "1.2.840.10008.1.2.4.70"), Encapsulated([0xFF, 0xD8, 0xFF, 0xD9])));

// Landmark files.
Text("landmarks-header-wrong.csv", "label,a,b,c\nA,1,2,3\n");
Text("landmarks-number-word.csv", "name,x,y,z\nA,1,two,3\n");
Text("landmarks-number-nan.csv", "name,x,y,z\nA,1,NaN,3\n");
Text("landmarks-name-twice.csv", "name,x,y,z\nA,1,2,3\nA,4,5,6\n");
Text("landmarks-columns-few.csv", "name,x,y,z\nA,1,2\n");
Text("landmarks-empty.csv", "");
Text("landmarks-syntax.json", "{\"landmarks\": [ {\"name\": \"A\", \"x\": 1 ");
Text("landmarks-wrong-type.json", "{\"landmarks\": [ {\"name\": 5, \"positionMm\": [1, 2, 3]} ]}");
Text("landmarks-empty.json", "");
var markups = Path.Combine(scratch, "valid.mrk.json");
LandmarkFile.Write(new LandmarkSet([new Landmark("A", new WorldMm(1, 2, 3)), new Landmark("B", new WorldMm(4, 5, 6))]), markups);
string mrk = File.ReadAllText(markups);
Text("markups-label-number.mrk.json", mrk.Replace("\"label\": \"A\"", "\"label\": 7"));
Text("markups-position-long.mrk.json", System.Text.RegularExpressions.Regex.Replace(mrk, "\"position\": \\[[^\\]]*\\]", "\"position\": [1, 2, 3, 4]", default, TimeSpan.FromSeconds(1)));
Text("markups-coordinate-system-unknown.mrk.json", mrk.Replace("\"LPS\"", "\"XYZ\"").Replace("\"RAS\"", "\"XYZ\""));
Text("markups-control-points-object.mrk.json", System.Text.RegularExpressions.Regex.Replace(mrk, "\"controlPoints\": \\[", "\"controlPoints\": {\"x\": [", default, TimeSpan.FromSeconds(1)));
Text("markups-cut.mrk.json", mrk[..(mrk.Length / 2)]);
Text("fcsv-header-missing.fcsv", "vtkMRMLMarkupsFiducialNode_0,1,2,3,0,0,0,1,1,1,0,A,,\n");
Text("fcsv-number-word.fcsv", "# Markups fiducial file version = 4.11\n# CoordinateSystem = LPS\n# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\nvtkMRMLMarkupsFiducialNode_0,one,2,3,0,0,0,1,1,1,0,A,,\n");
Text("fcsv-columns-few.fcsv", "# Markups fiducial file version = 4.11\n# CoordinateSystem = LPS\n# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\nvtkMRMLMarkupsFiducialNode_0,1,2\n");
Text("fcsv-coordinate-system-unknown.fcsv", "# Markups fiducial file version = 4.11\n# CoordinateSystem = XYZ\n# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\nvtkMRMLMarkupsFiducialNode_0,1,2,3,0,0,0,1,1,1,0,A,,\n");

// ISBI 2015 text (pixels; read with --spacing).
Text("isbi-number-word.txt", "835,996\nabc,1020\n");
Text("isbi-empty.txt", "");

// A dataset manifest, a model, predictions.
Text("manifest-syntax.json", "{\"name\": \"x\", \"landmarkNames\": [\"A\"], \"cases\": [ {\"id\": ");
Text("manifest-cases-missing.json", "{\"name\": \"x\", \"landmarkNames\": [\"A\"]}");
Text("manifest-case-wrong-type.json", "{\"name\": \"x\", \"landmarkNames\": [\"A\"], \"cases\": [ {\"id\": 3, \"image\": true, \"landmarks\": \"a.csv\"} ]}");
Put("model-garbage.lmk", Encoding.ASCII.GetBytes("PK\u0003\u0004 this is not a model file, only its first bytes look like a zip"));
Put("model-empty.lmk", []);
Text("predictions-header-wrong.csv", "case,landmark,x,y\nc,A,1,2\n");
Text("predictions-number-word.csv", "case,landmark,x,y,z,confidence,present\nc,A,1,two,3,0.5,true\n");
Text("predictions-present-word.csv", "case,landmark,x,y,z,confidence,present\nc,A,1,2,3,0.5,maybe\n");
Text("predictions-twice.csv", "case,landmark,x,y,z,confidence,present\nc,A,1,2,3,0.5,true\nc,A,1,2,3,0.5,true\n");
Text("config-syntax.json", "{\"dimension\": 2, ");
Text("config-wrong-type.json", "{\"dimension\": \"two\"}");
// Configurations: a derived one with one field broken (train reads them with tests/corpus/manifest-for-configs.json).
var config = LocalizerConfig.Derive(2, 0.1, [193.5, 240]);
Text("config-iterations-negative.json", (config with { Global = config.Global with { Iterations = -5 } }).ToJson());
Text("config-spacing-zero.json", (config with { Local = config.Local with { SpacingMm = 0 } }).ToJson());
Text("config-dimension-four.json", (config with { Dimension = 4 }).ToJson());
Text("config-crop-odd.json", (config with { Global = config.Global with { CropSize = [99, 0] } }).ToJson());
Text("config-channels-huge.json", (config with { Global = config.Global with { Channels = [16, 32, 100000, 128] } }).ToJson());
Text("config-crop-huge.json", (config with { Global = config.Global with { CropSize = [65536, 65536] } }).ToJson());
Text("config-stages-many.json", (config with { Global = config.Global with { Channels = [.. Enumerable.Repeat(4, 40)], Blocks = [.. Enumerable.Repeat(1, 40)] } }).ToJson());

// Model files (.lmk) with a valid checksum, as anyone can append one: magic, format version, metadata, networks, template.
byte[] Model(Action<BinaryWriter> body)
{
    var stream = new MemoryStream();
    using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
    {
        writer.Write(Encoding.ASCII.GetBytes("LANDMARKS-MODEL\n"));
        writer.Write(2);
        body(writer);
    }
    var bytes = stream.ToArray();
    return [.. bytes, .. System.Security.Cryptography.SHA256.HashData(bytes)];
}
void Metadata(BinaryWriter writer, LocalizerConfig modelConfig)
{
    var json = Encoding.UTF8.GetBytes(new ModelMetadata(2, "corpus", ["A"], modelConfig, ModelMetadata.Normalisation, "", null, null, null, null, null).ToJson());
    writer.Write(json.Length);
    writer.Write(json);
}
Put("model-metadata-claims-gigabytes.lmk", Model(w => { w.Write(int.MaxValue); w.Write(new byte[64]); }));
Put("model-channels-huge.lmk", Model(w => Metadata(w, config with { Local = config.Local with { Channels = [100000, 64] } })));
Put("model-weights-claim-gigabytes.lmk", Model(w => { Metadata(w, config); w.Write(2); w.Write((long)int.MaxValue * 4); }));

Directory.Delete(scratch, recursive: true);
Console.WriteLine($"{Directory.GetFiles(root).Length} files in {root}");
