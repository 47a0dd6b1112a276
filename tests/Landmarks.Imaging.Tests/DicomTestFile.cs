using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Landmarks.Imaging.Tests;

/// <summary>
/// Writes small DICOM Part 10 files for tests, element by element, in any of the native transfer
/// syntaxes (PS3.5 section 7): values are strings (padded to even length), unsigned shorts, 16-bit
/// pixel arrays or raw bytes, encoded in the syntax's byte order.
/// </summary>
internal sealed class DicomTestFile(string transferSyntax)
{
    public const string Implicit = "1.2.840.10008.1.2";
    public const string Explicit = "1.2.840.10008.1.2.1";
    public const string Deflated = "1.2.840.10008.1.2.1.99";
    public const string BigEndian = "1.2.840.10008.1.2.2";
    public const string JpegLossless = "1.2.840.10008.1.2.4.70";
    public const string Rle = "1.2.840.10008.1.2.5";

    private readonly List<(ushort Group, ushort Element, string Vr, object Value)> _elements = [];
    private bool IsBigEndian => transferSyntax == BigEndian;
    private bool IsExplicit => transferSyntax != Implicit;

    public DicomTestFile Add(ushort group, ushort element, string vr, object value)
    {
        _elements.Add((group, element, vr, value));
        return this;
    }

    /// <summary>The usual attributes of a single-frame greyscale image of 16-bit pixels (row by row).</summary>
    public static DicomTestFile Image16(string syntax, int columns, int rows, ushort[] pixels, int bitsStored = 16, bool signed = false, string photometric = "MONOCHROME2") =>
        new DicomTestFile(syntax)
            .Add(0x0028, 0x0002, "US", (ushort)1)
            .Add(0x0028, 0x0004, "CS", photometric)
            .Add(0x0028, 0x0010, "US", (ushort)rows)
            .Add(0x0028, 0x0011, "US", (ushort)columns)
            .Add(0x0028, 0x0100, "US", (ushort)16)
            .Add(0x0028, 0x0101, "US", (ushort)bitsStored)
            .Add(0x0028, 0x0103, "US", (ushort)(signed ? 1 : 0))
            .Add(0x7FE0, 0x0010, "OW", pixels);

    public void Write(string path) => File.WriteAllBytes(path, Bytes());

    public byte[] Bytes()
    {
        using var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        // File meta information: explicit VR little endian, always.
        Encode(file, 0x0002, 0x0010, "UI", transferSyntax, explicitVr: true, bigEndian: false);
        var dataSet = new MemoryStream();
        foreach (var (group, element, vr, value) in _elements.OrderBy(e => ((uint)e.Group << 16) | e.Element))
            Encode(dataSet, group, element, vr, value, IsExplicit, IsBigEndian);
        if (transferSyntax == Deflated)
        {
            using var deflate = new DeflateStream(file, CompressionLevel.Optimal, leaveOpen: true);
            deflate.Write(dataSet.ToArray());
        }
        else file.Write(dataSet.ToArray());
        return file.ToArray();
    }

    /// <summary>A sequence of undefined length: its items, already encoded, then the sequence delimiter.</summary>
    public sealed record UndefinedLength(byte[] Items);

    /// <summary>Encapsulated pixel data of one frame: an empty basic offset table, then the frame split in two fragments.</summary>
    public sealed record Encapsulated(byte[] Frame);

    public static void Encode(Stream stream, ushort group, ushort element, string vr, object value, bool explicitVr, bool bigEndian)
    {
        if (value is Encapsulated encapsulated)
        {
            Header(stream, group, element, vr, 0xFFFFFFFF, explicitVr, bigEndian);
            Header(stream, 0xFFFE, 0xE000, "", 0, explicitVr, bigEndian);
            var frame = encapsulated.Frame.Length % 2 == 0 ? encapsulated.Frame : [.. encapsulated.Frame, 0];
            int half = frame.Length / 4 * 2;
            foreach (var fragment in new[] { frame[..half], frame[half..] })
            {
                Header(stream, 0xFFFE, 0xE000, "", (uint)fragment.Length, explicitVr, bigEndian);
                stream.Write(fragment);
            }
            Header(stream, 0xFFFE, 0xE0DD, "", 0, explicitVr, bigEndian);
            return;
        }
        if (value is UndefinedLength sequence)
        {
            Header(stream, group, element, vr, 0xFFFFFFFF, explicitVr, bigEndian);
            stream.Write(sequence.Items);
            Header(stream, 0xFFFE, 0xE0DD, "", 0, explicitVr, bigEndian);
            return;
        }
        byte[] bytes = value switch
        {
            string text => Encoding.ASCII.GetBytes(text.Length % 2 == 0 ? text : text + (vr == "UI" ? "\0" : " ")),
            ushort number => UInt16Bytes(number, bigEndian),
            ushort[] numbers => [.. numbers.SelectMany(n => UInt16Bytes(n, bigEndian))],
            byte[] raw => raw,
            _ => throw new ArgumentException($"unsupported test value {value.GetType()}"),
        };
        Header(stream, group, element, vr, (uint)bytes.Length, explicitVr, bigEndian);
        stream.Write(bytes);
    }

    /// <summary>One item of defined length (explicit VR little endian) holding these elements.</summary>
    public static byte[] Item(params (ushort Group, ushort Element, string Vr, object Value)[] elements)
    {
        using var body = new MemoryStream();
        foreach (var (group, element, vr, value) in elements) Encode(body, group, element, vr, value, explicitVr: true, bigEndian: false);
        using var item = new MemoryStream();
        Header(item, 0xFFFE, 0xE000, "", (uint)body.Length, explicitVr: true, bigEndian: false);
        item.Write(body.ToArray());
        return item.ToArray();
    }

    /// <summary>A sequence value (of undefined length) of these items.</summary>
    public static UndefinedLength Sequence(params byte[][] items) => new([.. items.SelectMany(item => item)]);

    /// <summary>An element header; <paramref name="length"/> 0xFFFFFFFF for undefined length.</summary>
    public static void Header(Stream stream, ushort group, ushort element, string vr, uint length, bool explicitVr, bool bigEndian)
    {
        stream.Write(UInt16Bytes(group, bigEndian));
        stream.Write(UInt16Bytes(element, bigEndian));
        if (explicitVr && group != 0xFFFE)
        {
            stream.Write(Encoding.ASCII.GetBytes(vr));
            if (vr is "OB" or "OW" or "SQ" or "UN" or "UT")
            {
                stream.Write(new byte[2]);
                stream.Write(UInt32Bytes(length, bigEndian));
            }
            else stream.Write(UInt16Bytes((ushort)length, bigEndian));
        }
        else stream.Write(UInt32Bytes(length, bigEndian));
    }

    private static byte[] UInt16Bytes(ushort value, bool bigEndian)
    {
        var bytes = new byte[2];
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(bytes, value); else BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] UInt32Bytes(uint value, bool bigEndian)
    {
        var bytes = new byte[4];
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes, value); else BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
