using Landmarks.Imaging.Annotations;
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
        var halves = new DerivedDataset(directory);
        foreach (var c in source.Cases)
        {
            var loaded = source.LoadCase(c);
            var size = loaded.Image.Size;
            foreach (var (view, part) in new[] { ("top", size with { Y = size.Y / 2 }), ("left", size with { X = size.X / 2 }) })
            {
                var image = loaded.Image.Crop((0, 0, 0), part);
                var landmarks = new LandmarkSet(loaded.Reference.Landmarks.Select(l =>
                    l with { PositionMm = l.PositionMm is WorldMm p && image.Geometry.ContainsWorld(p) ? p : null }));
                halves.Add($"{view}-{c.Id}", image, landmarks);
            }
        }
        return halves.Save(source.Name + "-halves", source.LandmarkNames);
    }
}
