using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Datasets;

/// <summary>Builds a manifest for a user's own data by pairing image and landmark files by name.</summary>
public static class DatasetBuilder
{
    public sealed record Result(DatasetManifest Manifest, IReadOnlyList<string> Unpaired);

    /// <param name="landmarkNames">Names, in order; when null they are taken from the first landmark file that has names.</param>
    public static Result Create(string name, string imagesDirectory, string landmarksDirectory, string? secondObserverDirectory,
        IReadOnlyList<string>? landmarkNames, double[]? spacingMm)
    {
        foreach (var dir in new[] { imagesDirectory, landmarksDirectory, secondObserverDirectory }.OfType<string>())
            if (!Directory.Exists(dir)) throw new InvalidFileException(dir, "folder not found");

        Dictionary<string, string> ByStem(string dir, Func<string, bool> accept, Func<string, string> stem) =>
            Directory.EnumerateFileSystemEntries(dir).Where(accept).OrderBy(f => f, StringComparer.Ordinal)
                .GroupBy(stem).ToDictionary(g => g.Key, g => g.First());
        var images = ByStem(imagesDirectory, ImageFile.IsImagePath, ImageFile.Stem);
        var landmarks = ByStem(landmarksDirectory, LandmarkFile.IsLandmarkPath, LandmarkFile.Stem);
        var second = secondObserverDirectory is null ? [] : ByStem(secondObserverDirectory, LandmarkFile.IsLandmarkPath, LandmarkFile.Stem);

        var unpaired = images.Keys.Except(landmarks.Keys).Select(k => $"{images[k]}: no landmark file named '{k}.*'")
            .Concat(landmarks.Keys.Except(images.Keys).Select(k => $"{landmarks[k]}: no image named '{k}.*'")).ToList();
        var ids = images.Keys.Intersect(landmarks.Keys).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (ids.Count == 0) throw new InvalidFileException(imagesDirectory, $"no image pairs with a landmark file of the same name in {landmarksDirectory}");

        var names = landmarkNames ?? ids.Select(id => landmarks[id]).Where(p => !LandmarkFile.NeedsImageGrid(p))
            .Select(p => LandmarkFile.Read(p).Names.ToList()).FirstOrDefault()
            ?? throw new InvalidFileException(landmarksDirectory, "the landmark files carry no names: give them with --names");
        // Spacing is for images that carry none; written for others, it would claim a spacing nothing uses.
        if (spacingMm is not null && !ids.Any(id => ImageFile.FormatOf(images[id]) is RasterFormat))
            throw new InvalidFileException(imagesDirectory, "--spacing is for PNG, JPEG and BMP images, which carry no spacing; these images carry their own");
        var cases = ids.Select(id => new DatasetCase(id, Path.GetFullPath(images[id]), Path.GetFullPath(landmarks[id]),
            second.TryGetValue(id, out var s) ? Path.GetFullPath(s) : null)).ToList();
        var manifest = new DatasetManifest(name, names, cases, spacingMm);
        // The first case read as training will read it: names that do not fit the files fail here, naming the file.
        manifest.LoadCase(cases[0]);
        return new Result(manifest, unpaired);
    }
}
