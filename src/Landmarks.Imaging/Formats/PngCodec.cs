using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>
/// Our own PNG decoding for greyscale images Skia would reduce to 8 bits (16-bit grey), and PNG
/// encoding of 8- and 16-bit grey. Follows the PNG specification (ISO/IEC 15948): chunks with
/// CRC-32, zlib-compressed IDAT, the five scanline filters; interlaced images are refused.
/// </summary>
internal static class PngCodec
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public sealed record Header(int Width, int Height, int BitDepth, int ColorType, int Interlace);

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 8 && head[..8].SequenceEqual(Signature);

    public static Header ReadHeader(string path, byte[] file)
    {
        if (!HasSignature(file)) throw new InvalidFileException(path, "not a PNG file: wrong signature");
        if (file.Length < 33 || Encoding.ASCII.GetString(file, 12, 4) != "IHDR") throw new InvalidFileException(path, "PNG has no IHDR chunk");
        var span = file.AsSpan(16);
        var header = new Header(BinaryPrimitives.ReadInt32BigEndian(span), BinaryPrimitives.ReadInt32BigEndian(span[4..]), span[8], span[9], span[12]);
        if (header.Width <= 0 || header.Height <= 0) throw new InvalidFileException(path, $"PNG size {header.Width}x{header.Height} is invalid");
        return header;
    }

    /// <summary>The bytes the image's scanlines take before compression (each row with its filter byte).</summary>
    public static long RawBytes(Header header)
    {
        int samples = header.ColorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        long rowBytes = ((long)header.Width * samples * Math.Max(1, header.BitDepth) + 7) / 8;
        return (rowBytes + 1) * header.Height;
    }

    /// <summary>The total length of the IDAT chunks, read from the chunk headers only.</summary>
    public static long ImageDataBytes(string path, byte[] file)
    {
        long total = 0;
        int at = 8;
        while (at + 8 <= file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            if (length < 0) throw new InvalidFileException(path, "PNG chunk length is negative: the file is corrupt");
            if (Encoding.ASCII.GetString(file, at + 4, 4) == "IDAT") total += Math.Min(length, file.Length - at - 8);
            if (at + 12L + length > file.Length) break;
            at += 12 + length;
        }
        return total;
    }

    /// <summary>Decodes a 16-bit greyscale PNG (colour type 0) to its sample values 0..65535.</summary>
    public static float[] DecodeGrey16(string path, byte[] file, Header header)
    {
        if (header.Interlace != 0) throw new InvalidFileException(path, "interlaced 16-bit PNG is not supported");
        long rowBytes = (long)header.Width * 2;
        long needed = (rowBytes + 1) * header.Height;
        using var idat = new MemoryStream();
        int at = 8;
        bool ended = false;
        while (at + 8 <= file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            string type = Encoding.ASCII.GetString(file, at + 4, 4);
            if (length < 0 || at + 12L + length > file.Length) throw new InvalidFileException(path, $"PNG is truncated in chunk {type}");
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8 + length));
            if (crc != Crc32(file.AsSpan(at + 4, 4 + length))) throw new InvalidFileException(path, $"PNG chunk {type} has a bad CRC: the file is corrupt");
            if (type == "IDAT") idat.Write(file, at + 8, length);
            at += 12 + length;
            if (type == "IEND") { ended = true; break; }
        }
        if (!ended) throw new InvalidFileException(path, "PNG is truncated: no IEND chunk");
        if (needed > idat.Length * 1032) throw new InvalidFileException(path, "PNG image data is too short for its size");

        VoxelData.CheckZlibHeader(path, idat.GetBuffer().AsSpan(0, (int)Math.Min(2, idat.Length)), "the PNG image data");
        var raw = new byte[needed];
        idat.Position = 0;
        try
        {
            using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
            int got = inflate.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length) throw new InvalidFileException(path, $"PNG image data ends early: {got} of {raw.Length} bytes");
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidFileException(path, $"corrupt PNG image data: {e.Message}", e);
        }
        Unfilter(path, raw, (int)rowBytes, header.Height, bytesPerPixel: 2);
        var voxels = new float[(long)header.Width * header.Height];
        for (int y = 0; y < header.Height; y++)
        {
            var row = raw.AsSpan(y * ((int)rowBytes + 1) + 1, (int)rowBytes);
            for (int x = 0; x < header.Width; x++) voxels[(long)y * header.Width + x] = BinaryPrimitives.ReadUInt16BigEndian(row[(2 * x)..]);
        }
        return voxels;
    }

    private static void Unfilter(string path, byte[] data, int rowBytes, int height, int bytesPerPixel)
    {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++)
        {
            int row = y * stride + 1, previous = row - stride;
            byte filter = data[row - 1];
            for (int x = 0; x < rowBytes; x++)
            {
                int left = x >= bytesPerPixel ? data[row + x - bytesPerPixel] : 0;
                int up = y > 0 ? data[previous + x] : 0;
                int upLeft = y > 0 && x >= bytesPerPixel ? data[previous + x - bytesPerPixel] : 0;
                data[row + x] = filter switch
                {
                    0 => data[row + x],
                    1 => (byte)(data[row + x] + left),
                    2 => (byte)(data[row + x] + up),
                    3 => (byte)(data[row + x] + (left + up) / 2),
                    4 => (byte)(data[row + x] + Paeth(left, up, upLeft)),
                    _ => throw new InvalidFileException(path, $"PNG row {y} has unknown filter type {filter}"),
                };
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>The pixel spacing a pHYs chunk gives in metres (unit 1), as mm (x, y); null without one, or in another unit.
    /// Only the chunks before the image data are looked at: the specification puts pHYs there.</summary>
    public static (double X, double Y)? ReadSpacingMm(byte[] file)
    {
        int at = 8;
        while (at + 12 <= file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            string type = Encoding.ASCII.GetString(file, at + 4, 4);
            if (length < 0 || at + 12L + length > file.Length || type == "IDAT") return null;
            if (type == "pHYs" && length == 9 && Crc32(file.AsSpan(at + 4, 4 + length)) == BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8 + length)))
            {
                uint x = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8)), y = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 12));
                return file[at + 16] == 1 && x > 0 && y > 0 ? (1000.0 / x, 1000.0 / y) : null;
            }
            at += 12 + length;
        }
        return null;
    }

    /// <summary>Writes greyscale samples (integers in 0..255 for 8 bits, 0..65535 for 16), with the pixel spacing in a
    /// pHYs chunk (whole pixels per metre: a spacing keeps about 5 significant digits).</summary>
    public static void EncodeGrey(Stream output, ReadOnlySpan<float> samples, int width, int height, int bitDepth, double spacingXMm, double spacingYMm)
    {
        int bytesPerSample = bitDepth / 8, rowBytes = width * bytesPerSample;
        var raw = new byte[(long)(rowBytes + 1) * height];
        for (int y = 0; y < height; y++)
        {
            int row = y * (rowBytes + 1);
            raw[row] = 0; // filter: none
            for (int x = 0; x < width; x++)
            {
                int value = (int)samples[y * width + x];
                if (bitDepth == 16) BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(row + 1 + 2 * x), (ushort)value);
                else raw[row + 1 + x] = (byte)value;
            }
        }
        using var compressed = new MemoryStream();
        using (var deflate = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(raw);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        output.Write(Signature);
        WriteChunk(output, "IHDR", ihdr);
        var phys = new byte[9];
        BinaryPrimitives.WriteUInt32BigEndian(phys, PixelsPerMetre(spacingXMm));
        BinaryPrimitives.WriteUInt32BigEndian(phys.AsSpan(4), PixelsPerMetre(spacingYMm));
        phys[8] = 1;  // unit: metre
        WriteChunk(output, "pHYs", phys);
        WriteChunk(output, "IDAT", compressed.ToArray());
        WriteChunk(output, "IEND", []);
    }

    private static uint PixelsPerMetre(double spacingMm) => (uint)Math.Clamp(Math.Round(1000 / spacingMm), 1, uint.MaxValue);

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type).CopyTo(typeAndData, 0);
        data.CopyTo(typeAndData, 4);
        output.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        output.Write(word);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
