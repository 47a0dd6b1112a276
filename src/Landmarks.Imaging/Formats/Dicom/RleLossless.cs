using System.Buffers.Binary;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats.Dicom;

/// <summary>
/// DICOM RLE Lossless (PS3.5 annex G): a header of up to 15 segment offsets, each segment one byte plane
/// (per sample, most significant byte first) packed as PackBits runs.
/// </summary>
internal static class RleLossless
{
    /// <summary>The frame's bytes, little endian per sample value, each sample's values together (planar).</summary>
    public static byte[] Decode(byte[] frame, int pixels, int samples, int bytesPerSample, string path)
    {
        if (frame.Length < 64) throw Bad(path, "the RLE header is cut short");
        int segments = BinaryPrimitives.ReadInt32LittleEndian(frame);
        if (segments != samples * bytesPerSample)
            throw Bad(path, $"RLE data has {segments} segments, {samples} samples of {bytesPerSample} bytes need {samples * bytesPerSample}");
        var offsets = Enumerable.Range(0, segments).Select(s => BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4 + 4 * s))).Append(frame.Length).ToArray();
        var output = new byte[(long)pixels * samples * bytesPerSample];
        for (int segment = 0; segment < segments; segment++)
        {
            int sample = segment / bytesPerSample, byteOfValue = bytesPerSample - 1 - segment % bytesPerSample;
            int from = offsets[segment], to = offsets[segment + 1];
            if (from < 64 || to > frame.Length || to < from) throw Bad(path, $"RLE segment {segment} lies outside the data");
            long written = 0, at = from;
            void Put(byte value)
            {
                if (written < pixels) output[((long)sample * pixels + written) * bytesPerSample + byteOfValue] = value;
                written++;
            }
            while (at < to && written < pixels)
            {
                int header = (sbyte)frame[at++];
                if (header >= 0)
                {
                    if (at + header + 1 > to) throw Bad(path, $"RLE segment {segment} ends inside a literal run");
                    for (int n = 0; n <= header; n++) Put(frame[at++]);
                }
                else if (header != -128)
                {
                    if (at >= to) throw Bad(path, $"RLE segment {segment} ends inside a repeat run");
                    byte value = frame[at++];
                    for (int n = 0; n <= -header; n++) Put(value);
                }
            }
            if (written < pixels) throw Bad(path, $"RLE segment {segment} holds {written} of {pixels} bytes");
        }
        return output;
    }

    private static InvalidFileException Bad(string path, string reason) => new(path, $"cannot decode the DICOM pixel data: {reason}");
}
