using System.CommandLine;
using System.Globalization;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Cli;

internal static class CommonOptions
{
    public static Option<string?> Spacing() => new("--spacing")
    {
        Description = "Pixel spacing in mm for images that carry none (PNG, JPEG, BMP): one value, or x,y[,z]. Default 1 mm, with a warning.",
    };

    public static Vec3? ParseSpacing(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var values = text.Split(',', StringSplitOptions.TrimEntries).Select(v =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && d > 0 ? d
            : throw new CliUsageException($"--spacing '{text}': '{v}' is not a positive number")).ToArray();
        return values.Length switch
        {
            1 => new Vec3(values[0], values[0], values[0]),
            2 => new Vec3(values[0], values[1], 1),
            3 => new Vec3(values[0], values[1], values[2]),
            _ => throw new CliUsageException($"--spacing '{text}': give one value or x,y[,z]"),
        };
    }

    public static double[]? SpacingArray(string? text) => ParseSpacing(text) is Vec3 v
        ? text!.Split(',').Length == 3 ? [v.X, v.Y, v.Z] : [v.X, v.Y]
        : null;

    public static IReadOnlyList<string>? ParseNames(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
