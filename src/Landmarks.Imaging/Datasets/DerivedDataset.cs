using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Images;

namespace Landmarks.Imaging.Datasets;

/// <summary>A dataset made from another one (moved copies, cut views): its cases written as NIfTI and Slicer
/// markups into one folder, and its manifest beside them.</summary>
internal sealed class DerivedDataset(string directory)
{
    private readonly List<DatasetCase> _cases = [];

    public void Add(string id, Image image, LandmarkSet landmarks)
    {
        Directory.CreateDirectory(directory);
        string imagePath = Path.Combine(directory, id + ".nii.gz"), landmarkPath = Path.Combine(directory, id + ".mrk.json");
        ImageFile.Write(image, imagePath);
        LandmarkFile.Write(landmarks, landmarkPath);
        _cases.Add(new DatasetCase(id, imagePath, landmarkPath));
    }

    /// <summary>Writes the manifest NAME.json and returns it as loaded from there (paths relative to the folder).</summary>
    public DatasetManifest Save(string name, IReadOnlyList<string> landmarkNames)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name + ".json");
        new DatasetManifest(name, landmarkNames, _cases).Save(path);
        return DatasetManifest.Load(path);
    }
}
