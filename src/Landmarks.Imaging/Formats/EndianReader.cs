using System.Buffers.Binary;

namespace Landmarks.Imaging.Formats;

/// <summary>Reads fixed-offset header fields in either byte order.</summary>
internal readonly struct EndianReader(byte[] bytes, bool bigEndian)
{
    public short Int16(int at) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(at));
    public int Int32(int at) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
    public long Int64(int at) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
    public float Float32(int at) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
    public double Float64(int at) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(at));
}
