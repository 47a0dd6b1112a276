using Landmarks.Imaging.Formats;

namespace Landmarks.Imaging.Datasets;

/// <summary>
/// The ISBI 2015 cephalometric challenge layout (Wang et al. 2016): <c>RawImage/{TrainingData,
/// Test1Data,Test2Data}/NNN.bmp|jpg</c>, <c>AnnotationsByMD/400_senior|400_junior/NNN.txt</c> in
/// pixels at 0.1 mm. The senior observer is the reference, the junior the second observer.
/// </summary>
public static class Isbi2015
{
    public const double PixelSpacingMm = 0.1;

    public static IReadOnlyList<string> LandmarkNames { get; } =
    [
        "sella", "nasion", "orbitale", "porion", "subspinale", "supramentale", "pogonion", "menton",
        "gnathion", "gonion", "lower incisal incision", "upper incisal incision", "upper lip", "lower lip",
        "subnasale", "soft tissue pogonion", "posterior nasal spine", "anterior nasal spine", "articulare",
    ];

    public static IReadOnlyList<(string Folder, string Split)> Splits { get; } =
        [("TrainingData", "train"), ("Test1Data", "test1"), ("Test2Data", "test2")];

    public sealed record SplitResult(string Split, DatasetManifest Manifest, IReadOnlyList<string> Skipped);

    /// <summary>One manifest per split folder present under <paramref name="root"/>.</summary>
    public static IReadOnlyList<SplitResult> Import(string root)
    {
        string images = Path.Combine(root, "RawImage");
        string senior = Path.Combine(root, "AnnotationsByMD", "400_senior");
        string junior = Path.Combine(root, "AnnotationsByMD", "400_junior");
        if (!Directory.Exists(images)) throw new IO.InvalidFileException(root, "not an ISBI 2015 folder: no RawImage folder");
        if (!Directory.Exists(senior)) throw new IO.InvalidFileException(root, "not an ISBI 2015 folder: no AnnotationsByMD/400_senior folder");
        var results = new List<SplitResult>();
        foreach (var (folder, split) in Splits)
        {
            string splitImages = Path.Combine(images, folder);
            if (!Directory.Exists(splitImages)) continue;
            var cases = new List<DatasetCase>();
            var skipped = new List<string>();
            var files = Directory.EnumerateFiles(splitImages)
                .Where(f => f.EndsWith(".bmp", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f, StringComparer.Ordinal);
            foreach (var image in files)
            {
                string id = ImageFile.Stem(image);
                string reference = Path.Combine(senior, id + ".txt");
                if (!File.Exists(reference))
                {
                    skipped.Add($"{image}: no senior annotation {reference}");
                    continue;
                }
                string second = Path.Combine(junior, id + ".txt");
                cases.Add(new DatasetCase(id, Path.GetFullPath(image), Path.GetFullPath(reference), File.Exists(second) ? Path.GetFullPath(second) : null));
            }
            var manifest = new DatasetManifest($"isbi2015-{split}", LandmarkNames, cases, [PixelSpacingMm, PixelSpacingMm]);
            results.Add(new SplitResult(split, manifest, skipped));
        }
        if (results.Count == 0) throw new IO.InvalidFileException(root, "no split folder (TrainingData, Test1Data, Test2Data) under RawImage");
        return results;
    }
}
