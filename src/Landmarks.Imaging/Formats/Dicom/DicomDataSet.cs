using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats.Dicom;

/// <summary>
/// The top-level elements of a DICOM Part 10 file (PS3.10), as byte ranges of the file, parsed up to
/// the pixel data. Native (uncompressed) transfer syntaxes: implicit and explicit VR little endian,
/// explicit VR big endian and deflated explicit VR little endian; and lossless JPEG (process 14) and RLE,
/// whose pixel data comes as encapsulated fragments. Sequences are read into items of their own (the
/// functional groups of enhanced multi-frame images place each frame), whether their lengths are defined or not.
/// </summary>
internal sealed class DicomDataSet
{
    public const string ImplicitLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitBigEndian = "1.2.840.10008.1.2.2";
    public const string JpegLossless = "1.2.840.10008.1.2.4.57";
    public const string JpegLosslessFirstOrder = "1.2.840.10008.1.2.4.70";
    public const string Rle = "1.2.840.10008.1.2.5";

    private const uint UndefinedLength = 0xFFFFFFFF;
    private const uint Item = 0xFFFEE000, ItemDelimiter = 0xFFFEE00D, SequenceDelimiter = 0xFFFEE0DD;
    private const int MaximumNesting = 64;

    /// <summary>Value representations whose explicit header has 2 reserved bytes and a 4-byte length (PS3.5 7.1.2).</summary>
    private static readonly HashSet<string> LongVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    private readonly string _path;
    private readonly byte[] _bytes;
    private readonly Dictionary<uint, (int Offset, int Length)> _elements = [];
    private readonly Dictionary<uint, List<DicomDataSet>> _sequences = [];

    private DicomDataSet(string path, byte[] bytes, string transferSyntax, bool bigEndian)
    {
        _path = path;
        _bytes = bytes;
        TransferSyntax = transferSyntax;
        BigEndian = bigEndian;
    }

    public string TransferSyntax { get; }
    public bool BigEndian { get; }

    /// <summary>Offset and length of the native pixel data in <see cref="Bytes"/>, when the file has any.</summary>
    public (int Offset, int Length)? PixelData { get; private set; }

    /// <summary>The fragments of encapsulated (compressed) pixel data, the basic offset table left out.</summary>
    public List<(int Offset, int Length)>? PixelFragments { get; private set; }

    public bool IsEncapsulated => TransferSyntax is JpegLossless or JpegLosslessFirstOrder or Rle;
    public byte[] Bytes => _bytes;

    /// <summary>Whether the file starts like DICOM Part 10: 128 bytes of preamble, then "DICM".</summary>
    public static bool HasMagic(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[132];
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && Encoding.ASCII.GetString(head, 128, 4) == "DICM";
    }

    public static DicomDataSet Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 132 || Encoding.ASCII.GetString(bytes, 128, 4) != "DICM")
            throw new InvalidFileException(path, "not a DICOM file (no \"DICM\" after the 128-byte preamble)");
        // The file meta information (group 0002) is always explicit VR little endian.
        var meta = new DicomDataSet(path, bytes, ExplicitLittleEndian, bigEndian: false);
        int position = 132;
        while (position + 4 <= bytes.Length && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position)) == 0x0002)
            meta.ReadElement(ref position, explicitVr: true, depth: 0);
        string syntax = meta.String(0x0002, 0x0010) ?? throw new InvalidFileException(path, "DICOM file meta information has no transfer syntax (0002,0010)");
        if (syntax == DeflatedExplicitLittleEndian) bytes = Inflated(path, bytes, position);
        else if (syntax is not (ImplicitLittleEndian or ExplicitLittleEndian or ExplicitBigEndian or JpegLossless or JpegLosslessFirstOrder or Rle))
            throw new InvalidFileException(path, $"DICOM transfer syntax {syntax} ({Describe(syntax)}) is not supported: uncompressed, lossless JPEG and RLE " +
                "pixel data are read (decompress first, e.g. with dcmdjpeg or gdcmconv --raw)");
        var dataSet = new DicomDataSet(path, bytes, syntax, syntax == ExplicitBigEndian);
        foreach (var (tag, range) in meta._elements) dataSet._elements[tag] = range;
        bool explicitVr = syntax != ImplicitLittleEndian;
        while (position < bytes.Length && dataSet.PixelData is null && dataSet.PixelFragments is null)
            dataSet.ReadElement(ref position, explicitVr, depth: 0);
        return dataSet;
    }

    /// <summary>Deflated data sets are for small objects; a few hundred kilobytes of deflate can claim a gigabyte.</summary>
    private const int MaxInflatedBytes = 256 << 20;

    /// <summary>The file with its data set (deflate without a zlib header, from <paramref name="position"/>) inflated.</summary>
    private static byte[] Inflated(string path, byte[] bytes, int position)
    {
        using var inflated = new MemoryStream();
        inflated.Write(bytes, 0, position);
        try
        {
            using var deflate = new DeflateStream(new MemoryStream(bytes, position, bytes.Length - position), CompressionMode.Decompress);
            if (!BoundedCopy.TryAppend(deflate, inflated, MaxInflatedBytes))
                throw new InvalidFileException(path, $"deflated data set inflates to more than {MaxInflatedBytes >> 20} MB: inflate it first (e.g. dcmconv +te)");
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidFileException(path, $"corrupt deflated data set: {e.Message}", e);
        }
        return inflated.ToArray();
    }

    private static string Describe(string syntax) => syntax switch
    {
        _ when syntax.StartsWith("1.2.840.10008.1.2.4.5") || syntax.StartsWith("1.2.840.10008.1.2.4.7") => "JPEG",
        _ when syntax.StartsWith("1.2.840.10008.1.2.4.8") => "JPEG-LS",
        _ when syntax.StartsWith("1.2.840.10008.1.2.4.9") => "JPEG 2000",
        _ when syntax.StartsWith("1.2.840.10008.1.2.4.20") => "HTJ2K",
        _ => "compressed or unknown",
    };

    private ushort UInt16At(int at) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(at));
    private uint UInt32At(int at) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(_bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(at));

    private void Need(int position, long count)
    {
        if (position + count > _bytes.Length) throw new InvalidFileException(_path, $"DICOM file is truncated (an element at byte {position} runs past the end)");
    }

    /// <summary>Reads one element at <paramref name="position"/> into this data set (an item's, when nested) and steps past it.</summary>
    private uint ReadElement(ref int position, bool explicitVr, int depth)
    {
        Need(position, 8);
        uint tag = (uint)UInt16At(position) << 16 | UInt16At(position + 2);
        string? vr = null;
        uint length;
        if (explicitVr && tag >> 16 != 0xFFFE)
        {
            vr = Encoding.ASCII.GetString(_bytes, position + 4, 2);
            if (LongVrs.Contains(vr))
            {
                Need(position, 12);
                length = UInt32At(position + 8);
                position += 12;
            }
            else
            {
                length = UInt16At(position + 6);
                position += 8;
            }
        }
        else
        {
            length = UInt32At(position + 4);
            position += 8;
        }
        if (tag == 0x7FE00010)
        {
            if (length == UndefinedLength)
            {
                if (!IsEncapsulated) throw new InvalidFileException(_path, $"DICOM pixel data is encapsulated, which transfer syntax {TransferSyntax} does not allow");
                var fragments = ReadFragments(ref position);
                if (depth == 0) PixelFragments = fragments;
                return tag;
            }
            Need(position, length);
            if (depth == 0) PixelData = (position, (int)length);
            position += (int)length;
            return tag;
        }
        if (tag >> 16 == 0xFFFE) return tag;  // an item delimiter ends the item being read
        if (vr == "SQ" || length == UndefinedLength || (vr is null && ImplicitSequences.Contains(tag)))
        {
            // An element of unknown VR holding a sequence is encoded as implicit VR little endian.
            _sequences[tag] = ReadItems(ref position, length, explicitVr && vr != "UN", depth + 1);
            return tag;
        }
        Need(position, length);
        _elements[tag] = (position, (int)length);
        position += (int)length;
        return tag;
    }

    /// <summary>Sequences this reader looks into, by tag, for files without explicit VRs: the functional groups of
    /// enhanced multi-frame images and the macros in them that place a frame.</summary>
    private static readonly HashSet<uint> ImplicitSequences = [0x52009229, 0x52009230, 0x00289110, 0x00209116, 0x00209113, 0x00289145];

    /// <summary>The items of a sequence, of defined or undefined length, each as a data set of its own.</summary>
    private List<DicomDataSet> ReadItems(ref int position, uint length, bool explicitVr, int depth)
    {
        if (depth > MaximumNesting) throw new InvalidFileException(_path, $"DICOM sequences nested more than {MaximumNesting} deep");
        if (length != UndefinedLength) Need(position, length);
        long end = length == UndefinedLength ? long.MaxValue : position + (long)length;
        var items = new List<DicomDataSet>();
        while (position < end)
        {
            Need(position, 8);
            uint tag = (uint)UInt16At(position) << 16 | UInt16At(position + 2);
            uint itemLength = UInt32At(position + 4);
            position += 8;
            if (tag == SequenceDelimiter) break;
            if (tag != Item) throw new InvalidFileException(_path, $"DICOM sequence holds ({tag >> 16:X4},{tag & 0xFFFF:X4}) where an item was expected");
            var item = new DicomDataSet(_path, _bytes, TransferSyntax, BigEndian);
            if (itemLength == UndefinedLength)
                while (item.ReadElement(ref position, explicitVr, depth) != ItemDelimiter) { }
            else
            {
                Need(position, itemLength);
                int itemEnd = position + (int)itemLength;
                while (position < itemEnd) item.ReadElement(ref position, explicitVr, depth);
            }
            items.Add(item);
        }
        return items;
    }

    /// <summary>The items of encapsulated pixel data up to its sequence delimiter, the first (the basic offset table) left out.</summary>
    private List<(int Offset, int Length)> ReadFragments(ref int position)
    {
        var fragments = new List<(int Offset, int Length)>();
        for (bool first = true; ; first = false)
        {
            Need(position, 8);
            uint tag = (uint)UInt16At(position) << 16 | UInt16At(position + 2);
            uint length = UInt32At(position + 4);
            position += 8;
            if (tag == SequenceDelimiter) return fragments;
            if (tag != Item || length == UndefinedLength) throw new InvalidFileException(_path, "DICOM encapsulated pixel data holds something other than items of defined length");
            Need(position, length);
            if (!first) fragments.Add((position, (int)length));
            position += (int)length;
        }
    }

    /// <summary>The items of a sequence element, empty when the data set has none.</summary>
    public IReadOnlyList<DicomDataSet> Sequence(ushort group, ushort element) =>
        _sequences.TryGetValue((uint)group << 16 | element, out var items) ? items : [];

    public bool Has(ushort group, ushort element) => _elements.ContainsKey((uint)group << 16 | element);

    /// <summary>A text value (UI, CS, DS, IS, ...), without its padding.</summary>
    public string? String(ushort group, ushort element) =>
        _elements.TryGetValue((uint)group << 16 | element, out var range)
            ? Encoding.ASCII.GetString(_bytes, range.Offset, range.Length).TrimEnd('\0', ' ').TrimStart(' ')
            : null;

    /// <summary>The numbers of a DS or IS value (backslash-separated).</summary>
    public double[]? Numbers(ushort group, ushort element)
    {
        string? text = String(group, element);
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split('\\');
        var values = new double[parts.Length];
        for (int n = 0; n < parts.Length; n++)
            if (!double.TryParse(parts[n].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[n]) || !double.IsFinite(values[n]))
                throw new InvalidFileException(_path, $"DICOM element ({group:X4},{element:X4}) holds '{text}', not numbers");
        return values;
    }

    /// <summary>A US value (binary, 2 bytes).</summary>
    public int? UInt16(ushort group, ushort element)
    {
        if (!_elements.TryGetValue((uint)group << 16 | element, out var range)) return null;
        if (range.Length < 2) throw new InvalidFileException(_path, $"DICOM element ({group:X4},{element:X4}) is too short for an unsigned short");
        return UInt16At(range.Offset);
    }
}
