using SkiaSharp;

namespace Landmarks.Evaluation.Drawing;

/// <summary>Skia's Linux natives here come without fontconfig, so text needs a font file.</summary>
public static class Fonts
{
    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];

    private static readonly Lazy<SKTypeface?> Loaded = new(() =>
        Candidates.Where(File.Exists).Select(SKTypeface.FromFile).FirstOrDefault(t => t is not null));

    /// <summary>DejaVu Sans, or null when no font file is installed (Debian: fonts-dejavu-core).</summary>
    public static SKTypeface? Sans => Loaded.Value;

    public static string? SansPath => Candidates.FirstOrDefault(File.Exists);
}
