using System.IO.Compression;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>Reads and writes the voxel block of a file, checking sizes before anything is allocated.</summary>
internal static class VoxelData
{
    /// <summary>Deflate cannot compress better than about 1032:1; a header claiming more is lying.</summary>
    private const long MaxDeflateRatio = 1032;
    private const int ChunkVoxels = 1 << 18;

    /// <summary>
    /// Reads <paramref name="voxelCount"/> voxels from <paramref name="stream"/>. <paramref name="storedBytes"/>
    /// is what the file holds for them (compressed or not), checked against the claim before allocating.
    /// </summary>
    public static float[] Read(string path, Stream stream, long voxelCount, PixelType type, bool bigEndian, bool compressed, long storedBytes)
    {
        long needed = voxelCount * type.BytesPerVoxel();
        if (voxelCount > Geometry.ImageGeometry.MaxVoxelCount)
            throw new InvalidFileException(path, $"header asks for {voxelCount:N0} voxels, more than the {Geometry.ImageGeometry.MaxVoxelCount:N0} an image may have");
        if (!compressed && storedBytes < needed)
            throw new InvalidFileException(path, $"file is truncated: the header needs {needed:N0} bytes of voxel data, the file has {Math.Max(0, storedBytes):N0}");
        if (compressed && needed > Math.Max(storedBytes, 1) * MaxDeflateRatio)
            throw new InvalidFileException(path, $"header asks for {needed:N0} bytes of voxel data, more than {Math.Max(0, storedBytes):N0} compressed bytes can hold");

        var voxels = new float[voxelCount];
        int size = type.BytesPerVoxel();
        var buffer = new byte[ChunkVoxels * size];
        long done = 0;
        try
        {
            while (done < voxelCount)
            {
                int count = (int)Math.Min(ChunkVoxels, voxelCount - done);
                int bytes = count * size;
                int got = stream.ReadAtLeast(buffer.AsSpan(0, bytes), bytes, throwOnEndOfStream: false);
                if (got < bytes)
                    throw new InvalidFileException(path, $"{(compressed ? "compressed data ends early" : "file is truncated")}: got {done * size + got:N0} of {needed:N0} bytes of voxel data");
                PixelTypes.Decode(type, buffer.AsSpan(0, bytes), bigEndian, voxels.AsSpan((int)done, count));
                done += count;
            }
        }
        catch (Exception e) when (compressed && e is InvalidDataException or IOException)
        {
            // The inflater reports a broken stream as InvalidDataException, and a code it does not expect as an IOException.
            throw new InvalidFileException(path, $"corrupt compressed data: {e.Message}", e);
        }
        return voxels;
    }

    public static void Write(Stream stream, ReadOnlySpan<float> voxels, PixelType type)
    {
        int size = type.BytesPerVoxel();
        var buffer = new byte[ChunkVoxels * size];
        for (int start = 0; start < voxels.Length; start += ChunkVoxels)
        {
            int count = Math.Min(ChunkVoxels, voxels.Length - start);
            PixelTypes.Encode(type, voxels.Slice(start, count), buffer);
            stream.Write(buffer, 0, count * size);
        }
    }

    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B;

    public static Stream OpenGzip(Stream compressed) => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false);

    /// <summary>Checks the two-byte header of zlib data (RFC 1950) that MetaImage and PNG store: deflate, a valid check
    /// value, and no preset dictionary (neither format has one to give; the inflater fails on it with an unexpected code).</summary>
    public static void CheckZlibHeader(string path, ReadOnlySpan<byte> head, string what)
    {
        if (head.Length < 2) throw new InvalidFileException(path, $"{what} is too short for a zlib header");
        if ((head[0] & 0x0F) != 8 || (head[0] << 8 | head[1]) % 31 != 0)
            throw new InvalidFileException(path, $"{what} is not zlib deflate data (header bytes 0x{head[0]:X2} 0x{head[1]:X2})");
        if ((head[1] & 0x20) != 0) throw new InvalidFileException(path, $"{what} asks for a preset zlib dictionary (the format provides none)");
    }
}
