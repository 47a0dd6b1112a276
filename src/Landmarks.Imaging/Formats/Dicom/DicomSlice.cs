using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats.Dicom;

/// <summary>
/// One DICOM image plane (a single-frame file, or one frame of an enhanced multi-frame file): its pixels as modality values (stored values times Rescale Slope plus
/// Rescale Intercept, so Hounsfield units in CT) and where it lies in the patient (LPS mm, as DICOM
/// defines it). MONOCHROME1 images are negated so that bright is high, as in MONOCHROME2; colour images
/// become grey (ITU-R BT.601 luma).
/// </summary>
internal sealed class DicomSlice
{
    public required string Path { get; init; }
    public required int Columns { get; init; }
    public required int Rows { get; init; }
    /// <summary>Spacing between columns (x) and between rows (y), mm; null when the file gives none.</summary>
    public required (double X, double Y)? PixelSpacingMm { get; init; }
    /// <summary>Which attribute the spacing came from, for messages.</summary>
    public required string SpacingSource { get; init; }
    public required WorldMm? PositionMm { get; init; }
    /// <summary>World directions of increasing column and increasing row (Image Orientation (Patient)).</summary>
    public required (Vec3 Row, Vec3 Column)? Orientation { get; init; }
    public required string? SeriesUid { get; init; }
    public required float[] Pixels { get; init; }

    /// <summary>The frames of a file: one for a single-frame image; for an enhanced multi-frame image, each frame
    /// placed by its functional groups (per-frame, else shared, else the top-level attributes).</summary>
    public static IReadOnlyList<DicomSlice> ReadFrames(string path)
    {
        var data = DicomDataSet.Read(path);
        int rows = data.UInt16(0x0028, 0x0010) ?? throw Missing(path, "Rows (0028,0010)");
        int columns = data.UInt16(0x0028, 0x0011) ?? throw Missing(path, "Columns (0028,0011)");
        if (rows == 0 || columns == 0) throw new InvalidFileException(path, $"DICOM image of {columns}x{rows} pixels");
        int frames = (int)(data.Numbers(0x0028, 0x0008)?[0] ?? 1);
        var perFrame = data.Sequence(0x5200, 0x9230);
        if (frames < 1) throw new InvalidFileException(path, $"DICOM Number of Frames is {frames}");
        if (frames > 1 && perFrame.Count != frames)
            throw new InvalidFileException(path, $"multi-frame DICOM ({frames} frames) without per-frame functional groups to place them is not supported: give a folder of single-frame slices");
        if (frames > 1 && data.IsEncapsulated) throw new InvalidFileException(path, "compressed multi-frame DICOM is not supported (decompress first, e.g. with gdcmconv --raw)");
        int samples = data.UInt16(0x0028, 0x0002) ?? 1;
        int bitsAllocated = data.UInt16(0x0028, 0x0100) ?? throw Missing(path, "Bits Allocated (0028,0100)");
        int bitsStored = data.UInt16(0x0028, 0x0101) ?? bitsAllocated;
        bool signed = (data.UInt16(0x0028, 0x0103) ?? 0) == 1;
        string photometric = data.String(0x0028, 0x0004) ?? (samples == 1 ? "MONOCHROME2" : "RGB");
        if (bitsAllocated is not (8 or 16 or 32) || bitsStored < 1 || bitsStored > bitsAllocated)
            throw new InvalidFileException(path, $"DICOM pixels of {bitsStored} bits stored in {bitsAllocated} are not supported (8, 16 or 32 bits allocated)");
        if (!(samples == 1 && photometric is "MONOCHROME1" or "MONOCHROME2") && !(samples == 3 && photometric is "RGB" or "YBR_FULL"))
            throw new InvalidFileException(path, $"DICOM photometric interpretation {photometric} with {samples} samples per pixel is not supported");
        if ((long)rows * columns * samples * frames > ImageGeometry.MaxVoxelCount)
            throw new InvalidFileException(path, $"DICOM image of {columns}x{rows} pixels, {samples} samples, {frames} frames is more than the {ImageGeometry.MaxVoxelCount:N0} values an image may have");
        int frameValues = rows * columns * samples;
        bool planar = (data.UInt16(0x0028, 0x0006) ?? 0) == 1;
        float[] stored;
        switch (data.TransferSyntax)
        {
            case DicomDataSet.JpegLossless or DicomDataSet.JpegLosslessFirstOrder:
                if (samples != 1) throw new InvalidFileException(path, $"lossless JPEG DICOM with {samples} samples per pixel is not supported (greyscale only)");
                var decoded = JpegLossless.Decode(Frame(data, path), path);
                if (decoded.Width != columns || decoded.Height != rows)
                    throw new InvalidFileException(path, $"DICOM says {columns}x{rows} pixels, its JPEG data holds {decoded.Width}x{decoded.Height}");
                stored = [.. decoded.Samples.Select(raw => Masked(raw, bitsStored, signed))];
                break;
            case DicomDataSet.Rle:
                // RLE keeps each sample in its own segments, so the decoded bytes are planar.
                stored = StoredValues(RleLossless.Decode(Frame(data, path), rows * columns, samples, bitsAllocated / 8, path), frameValues, bitsAllocated, bitsStored, signed, bigEndian: false);
                planar = true;
                break;
            default:
                var pixelData = data.PixelData ?? throw Missing(path, "Pixel Data (7FE0,0010)");
                long needed = (long)frames * frameValues * (bitsAllocated / 8);
                if (needed > int.MaxValue) throw new InvalidFileException(path, $"DICOM pixel data of {needed} bytes is larger than this reader takes");
                if (pixelData.Length < needed)
                    throw new InvalidFileException(path, $"DICOM pixel data holds {pixelData.Length} bytes, {frames} frame(s) of {columns}x{rows}x{samples} pixels of {bitsAllocated} bits need {needed}");
                stored = StoredValues(data.Bytes.AsSpan(pixelData.Offset, (int)needed), frames * frameValues, bitsAllocated, bitsStored, signed, data.BigEndian);
                break;
        }

        var shared = data.Sequence(0x5200, 0x9229).FirstOrDefault();
        var result = new List<DicomSlice>(frames);
        for (int f = 0; f < frames; f++)
        {
            // A functional group macro of this frame: its own, else the shared one.
            var frameGroups = f < perFrame.Count ? perFrame[f] : null;
            DicomDataSet? Macro(ushort group, ushort element) =>
                frameGroups?.Sequence(group, element).FirstOrDefault() ?? shared?.Sequence(group, element).FirstOrDefault();
            var measures = Macro(0x0028, 0x9110);
            var plane = Macro(0x0020, 0x9113);
            var orientationMacro = Macro(0x0020, 0x9116);
            var transform = Macro(0x0028, 0x9145);

            var frameStored = frames == 1 ? stored : stored[(f * frameValues)..((f + 1) * frameValues)];
            var pixels = samples == 1 ? frameStored : Grey(frameStored, rows * columns, photometric, planar);
            double slope = (transform?.Numbers(0x0028, 0x1053) ?? data.Numbers(0x0028, 0x1053))?[0] ?? 1;
            double intercept = (transform?.Numbers(0x0028, 0x1052) ?? data.Numbers(0x0028, 0x1052))?[0] ?? 0;
            double sign = photometric == "MONOCHROME1" ? -1 : 1;
            if (slope != 1 || intercept != 0 || sign != 1)
                for (int n = 0; n < pixels.Length; n++) pixels[n] = (float)(sign * (pixels[n] * slope + intercept));

            // Pixel Spacing is in the patient; Imager Pixel Spacing (projection radiographs) at the detector.
            var spacing = measures?.Numbers(0x0028, 0x0030) ?? data.Numbers(0x0028, 0x0030);
            string source = "Pixel Spacing (0028,0030)";
            if (spacing is null) { spacing = data.Numbers(0x0018, 0x1164); source = "Imager Pixel Spacing (0018,1164)"; }
            if (spacing is not null && (spacing.Length != 2 || spacing[0] <= 0 || spacing[1] <= 0))
                throw new InvalidFileException(path, $"DICOM {source} must be two positive numbers, got {string.Join("\\", spacing)}");
            var position = plane?.Numbers(0x0020, 0x0032) ?? data.Numbers(0x0020, 0x0032);
            var orientation = orientationMacro?.Numbers(0x0020, 0x0037) ?? data.Numbers(0x0020, 0x0037);
            if (position is not null && position.Length != 3) throw new InvalidFileException(path, "DICOM Image Position (Patient) (0020,0032) must have 3 numbers");
            if (orientation is not null && orientation.Length != 6) throw new InvalidFileException(path, "DICOM Image Orientation (Patient) (0020,0037) must have 6 numbers");
            result.Add(new DicomSlice
            {
                Path = path,
                Columns = columns,
                Rows = rows,
                // DICOM lists the spacing between rows (y) first, then between columns (x).
                PixelSpacingMm = spacing is null ? null : (spacing[1], spacing[0]),
                SpacingSource = spacing is null ? "" : source,
                PositionMm = position is null ? null : new WorldMm(position[0], position[1], position[2]),
                Orientation = orientation is null ? null : (new Vec3(orientation[0], orientation[1], orientation[2]), new Vec3(orientation[3], orientation[4], orientation[5])),
                SeriesUid = data.String(0x0020, 0x000E),
                Pixels = pixels,
            });
        }
        return result;
    }

    private static InvalidFileException Missing(string path, string what) => new(path, $"DICOM file has no {what}");

    private static float[] StoredValues(ReadOnlySpan<byte> bytes, int count, int bitsAllocated, int bitsStored, bool signed, bool bigEndian)
    {
        var values = new float[count];
        for (int n = 0; n < count; n++)
        {
            uint raw = bitsAllocated switch
            {
                8 => bytes[n],
                16 => bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * n)..]) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * n)..]),
                _ => bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * n)..]) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * n)..]),
            };
            values[n] = Masked(raw, bitsStored, signed);
        }
        return values;
    }

    /// <summary>Only the low Bits Stored bits are the value; the bits above may hold anything (overlays of old files).</summary>
    private static float Masked(uint raw, int bitsStored, bool signed)
    {
        int shift = 32 - bitsStored;
        return signed ? (int)(raw << shift) >> shift : (raw << shift) >> shift;
    }

    /// <summary>The one frame of encapsulated pixel data: its fragments joined.</summary>
    private static byte[] Frame(DicomDataSet data, string path)
    {
        var fragments = data.PixelFragments ?? throw Missing(path, "Pixel Data (7FE0,0010)");
        var joined = new byte[fragments.Sum(f => (long)f.Length)];
        int at = 0;
        foreach (var (offset, length) in fragments)
        {
            Array.Copy(data.Bytes, offset, joined, at, length);
            at += length;
        }
        return joined;
    }

    private static float[] Grey(float[] samples, int pixels, string photometric, bool planar)
    {
        var grey = new float[pixels];
        for (int n = 0; n < pixels; n++)
        {
            float Sample(int channel) => planar ? samples[channel * pixels + n] : samples[3 * n + channel];
            grey[n] = photometric == "YBR_FULL" ? Sample(0) : (float)(0.299 * Sample(0) + 0.587 * Sample(1) + 0.114 * Sample(2));
        }
        return grey;
    }
}
