using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Datasets;

/// <summary>
/// Each case cut to its top half and to its left half (first half of the rows, of the columns), as scans
/// with a smaller field of view: the parts keep their place in the world, and the landmarks left outside
/// are marked absent in the references. For measuring whether a model calls landmarks out of view
/// absent rather than inventing them.
/// </summary>
public static class PartialViews
{
    public static DatasetManifest Write(DatasetManifest source, string directory)
    {
        Directory.CreateDirectory(directory);
        var cases = new List<DatasetCase>();
        foreach (var c in source.Cases)
        {
            var loaded = source.LoadCase(c);
            var size = loaded.Image.Size;
            foreach (var (view, part) in new[] { ("top", size with { Y = size.Y / 2 }), ("left", size with { X = size.X / 2 }) })
            {
                var image = loaded.Image.Crop((0, 0, 0), part);
                var landmarks = new LandmarkSet(loaded.Reference.Landmarks.Select(l =>
                    l with { PositionMm = l.PositionMm is WorldMm p && image.Geometry.ContainsWorld(p) ? p : null }));
                string id = $"{view}-{c.Id}";
                string imagePath = Path.Combine(directory, id + ".nii.gz"), landmarkPath = Path.Combine(directory, id + ".mrk.json");
                ImageFile.Write(image, imagePath);
                LandmarkFile.Write(landmarks, landmarkPath);
                cases.Add(new DatasetCase(id, imagePath, landmarkPath));
            }
        }
        var manifest = new DatasetManifest(source.Name + "-halves", source.LandmarkNames, cases);
        string path = Path.Combine(directory, manifest.Name + ".json");
        manifest.Save(path);
        return DatasetManifest.Load(path);
    }
}
