using System.Globalization;
using System.Text;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats;

/// <summary>Helpers for the text headers of MetaImage and NRRD: bounded line reading and number parsing.</summary>
internal static class TextHeader
{
    /// <summary>No real header comes near this; a longer one is a binary file or garbage.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>Reads one line of ASCII ending in \n (a trailing \r is dropped); null at end of stream.
    /// Counts the bytes consumed, so the caller knows where binary data starts.</summary>
    public static string? ReadLine(string path, Stream stream, ref long consumed)
    {
        var line = new StringBuilder();
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0) return line.Length == 0 ? null : line.ToString();
            consumed++;
            if (consumed > MaxHeaderBytes) throw new InvalidFileException(path, $"header is longer than {MaxHeaderBytes} bytes: not a valid header");
            if (b == '\n') return line.ToString().TrimEnd('\r');
            if (b == 0) throw new InvalidFileException(path, "binary data where the text header should be");
            line.Append((char)b);
        }
    }

    public static double[] Numbers(string path, string field, string text, int? count = null)
    {
        var parts = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw new InvalidFileException(path, $"{field}: '{parts[i]}' is not a finite number");
        }
        if (count is int n && values.Length != n)
            throw new InvalidFileException(path, $"{field}: expected {n} values, got {values.Length} ('{text}')");
        return values;
    }

    public static long[] Sizes(string path, string field, string text, int count)
    {
        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count) throw new InvalidFileException(path, $"{field}: expected {count} sizes, got {parts.Length} ('{text}')");
        var sizes = new long[count];
        for (int i = 0; i < count; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new InvalidFileException(path, $"{field}: '{parts[i]}' is not a positive size");
        }
        if (sizes.Aggregate(1.0, (p, s) => p * s) > Geometry.ImageGeometry.MaxVoxelCount)
            throw new InvalidFileException(path, $"header asks for {string.Join("x", sizes)} voxels, more than the {Geometry.ImageGeometry.MaxVoxelCount:N0} an image may have");
        return sizes;
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
