using System.Buffers.Binary;

namespace Landmarks.Imaging.Formats;

/// <summary>How voxels are stored in a file. In memory they are always float.</summary>
public enum PixelType
{
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    Float32,
    Float64,
}

public static class PixelTypes
{
    public static int BytesPerVoxel(this PixelType type) => type switch
    {
        PixelType.UInt8 or PixelType.Int8 => 1,
        PixelType.UInt16 or PixelType.Int16 => 2,
        PixelType.UInt32 or PixelType.Int32 or PixelType.Float32 => 4,
        PixelType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The smallest type that stores every voxel exactly: an integer type when all values
    /// are integers in its range, else float32.</summary>
    public static PixelType LosslessFor(ReadOnlySpan<float> voxels)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in voxels)
        {
            if (v != MathF.Round(v)) return PixelType.Float32;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (min >= 0 && max <= byte.MaxValue) return PixelType.UInt8;
        if (min >= short.MinValue && max <= short.MaxValue) return PixelType.Int16;
        if (min >= 0 && max <= ushort.MaxValue) return PixelType.UInt16;
        // float holds integers exactly only up to 2^24.
        if (min >= -(1 << 24) && max <= 1 << 24) return PixelType.Int32;
        return PixelType.Float32;
    }

    /// <summary>Decodes <paramref name="bytes"/> (a whole number of voxels) into <paramref name="destination"/>.</summary>
    public static void Decode(PixelType type, ReadOnlySpan<byte> bytes, bool bigEndian, Span<float> destination)
    {
        int n = destination.Length;
        switch (type)
        {
            case PixelType.UInt8:
                for (int i = 0; i < n; i++) destination[i] = bytes[i];
                break;
            case PixelType.Int8:
                for (int i = 0; i < n; i++) destination[i] = (sbyte)bytes[i];
                break;
            case PixelType.UInt16:
                for (int i = 0; i < n; i++) destination[i] = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case PixelType.Int16:
                for (int i = 0; i < n; i++) destination[i] = bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case PixelType.UInt32:
                for (int i = 0; i < n; i++) destination[i] = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
                break;
            case PixelType.Int32:
                for (int i = 0; i < n; i++) destination[i] = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                break;
            case PixelType.Float32:
                for (int i = 0; i < n; i++) destination[i] = bigEndian ? BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case PixelType.Float64:
                for (int i = 0; i < n; i++) destination[i] = (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(bytes[(8 * i)..]) : BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>Encodes voxels little-endian; values must fit the type (see <see cref="LosslessFor"/>).</summary>
    public static void Encode(PixelType type, ReadOnlySpan<float> voxels, Span<byte> destination)
    {
        int size = type.BytesPerVoxel();
        for (int n = 0; n < voxels.Length; n++)
        {
            var slot = destination.Slice(n * size, size);
            float v = voxels[n];
            switch (type)
            {
                case PixelType.UInt8: slot[0] = (byte)v; break;
                case PixelType.Int8: slot[0] = (byte)(sbyte)v; break;
                case PixelType.UInt16: BitConverter.TryWriteBytes(slot, (ushort)v); break;
                case PixelType.Int16: BitConverter.TryWriteBytes(slot, (short)v); break;
                case PixelType.UInt32: BitConverter.TryWriteBytes(slot, (uint)v); break;
                case PixelType.Int32: BitConverter.TryWriteBytes(slot, (int)v); break;
                case PixelType.Float32: BitConverter.TryWriteBytes(slot, v); break;
                case PixelType.Float64: BitConverter.TryWriteBytes(slot, (double)v); break;
            }
        }
    }
}
