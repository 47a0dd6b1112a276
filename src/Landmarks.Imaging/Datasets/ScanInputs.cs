using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Datasets;

/// <summary>One scan to process: its case id, where its image is, and the pixel spacing to assume where the file carries none.</summary>
public sealed record ScanInput(string CaseId, string ImagePath, Vec3? SpacingMm);

/// <summary>
/// What a list of inputs names, as predict and review take them: image files (case id: the file name without its
/// extensions), folders of images (a folder holding one DICOM series is one image), and dataset manifests (their
/// case ids). Sorted by case id; a case id named twice is refused.
/// </summary>
public static class ScanInputs
{
    /// <param name="spacing">Pixel spacing for images that carry none; a manifest's own spacing otherwise.</param>
    public static IReadOnlyList<ScanInput> Expand(IEnumerable<string> inputs, Vec3? spacing)
    {
        var result = new List<ScanInput>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input) && !ImageFile.IsImagePath(input))
                result.AddRange(Directory.EnumerateFileSystemEntries(input).Where(ImageFile.IsImagePath).Select(f => new ScanInput(ImageFile.Stem(f), f, spacing)));
            else if (input.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                var manifest = DatasetManifest.Load(input);
                result.AddRange(manifest.Cases.Select(c => new ScanInput(c.Id, manifest.Resolve(c.Image), spacing ?? manifest.SpacingOf(c))));
            }
            else result.Add(new ScanInput(ImageFile.Stem(input), input, spacing));
        }
        var duplicate = result.GroupBy(i => i.CaseId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"case id '{duplicate.Key}' comes from more than one input");
        return [.. result.OrderBy(i => i.CaseId, StringComparer.Ordinal)];
    }

    /// <summary>Every <paramref name="count"/>-th scan starting with the <paramref name="index"/>-th (1-based): one node's share.</summary>
    public static IReadOnlyList<ScanInput> Shard(IReadOnlyList<ScanInput> scans, int index, int count)
    {
        if (count < 1 || index < 1 || index > count) throw new ArgumentException($"shard {index}/{count}: expected K/N with 1 <= K <= N");
        return [.. scans.Where((_, n) => n % count == index - 1)];
    }
}
