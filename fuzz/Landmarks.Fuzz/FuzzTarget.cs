using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Model;

namespace Landmarks.Fuzz;

/// <summary>One reader under fuzzing: the extension its input file takes (the readers choose by it), how the tool reads
/// such a file, and small valid files to start the fuzzer from.</summary>
/// <param name="CorpusPrefix">Files of tests/corpus/malformed whose names start with it are seeds too.</param>
internal sealed record FuzzTarget(string Name, string Extension, string CorpusPrefix, Action<string> Read, Action<string> WriteSeeds)
{
    /// <summary>Pixel spacing given to raster images and ISBI files, which carry none. Made on use: instrumented code (any type of
    /// the readers' assemblies) may run only inside the fuzzer's loop, and the table below is built before it.</summary>
    private static Vec3 RasterSpacingMm => new(0.1, 0.1, 1);

    private static readonly string[] Names = ["a", "b", "c"];

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        ImageTarget("nifti", ".nii", "nifti"),
        ImageTarget("nifti-gz", ".nii.gz", "nifti"),
        ImageTarget("nrrd", ".nrrd", "nrrd-"),
        ImageTarget("metaimage", ".mha", "metaimage-"),
        new("dicom", ".dcm", "dicom-", path => ImageFile.Read(path), _ => { }),
        new("png", ".png", "png-", path => ImageFile.Read(path, new ImageReadOptions(RasterSpacingMm)),
            dir => ImageFile.Write(Image.Filled(ImageGeometry.Simple(new GridSize(9, 7, 1), RasterSpacingMm), 3), Path.Combine(dir, "seed.png"))),
        LandmarkTarget("csv", ".csv", "landmarks-"),
        LandmarkTarget("markups", ".mrk.json", "markups-"),
        LandmarkTarget("fcsv", ".fcsv", "fcsv-", absentAllowed: false),
        new("isbi", ".txt", "isbi-", path => LandmarkFile.Read(path, LandmarkFile.PixelGrid(RasterSpacingMm), Names),
            dir => File.WriteAllLines(Path.Combine(dir, "seed.txt"), ["835,996", "1473,1029", "1289,1279", "1", "2"])),
        new("predictions", ".csv", "predictions-", path => PredictionCsv.Read(path),
            dir => PredictionCsv.Write([new("c1", "a", new WorldMm(1, 2, 3), 0.9, true), new("c1", "b", null, 0.05, false)], Path.Combine(dir, "seed.csv"), 3)),
        new("manifest", ".json", "manifest-", path => DatasetManifest.Load(path),
            dir => new DatasetManifest("seed", Names, [new DatasetCase("c1", "c1.nii.gz", "c1.mrk.json", "c1-second.csv", [0.1, 0.1])]).Save(Path.Combine(dir, "seed.json"))),
        new("model-package", ".zip", "model-", path => ModelPackage.Load(path), dir =>
            new ModelPackage(new ModelMetadata(2, "seed", Names, LocalizerConfig.Derive(2, 0.1, [190, 240]), ModelMetadata.Normalisation, "", null, null, null, null, null),
                "onnx", [1, 2, 3], [4, 5], null).Save(Path.Combine(dir, "seed.zip"))),
        new("config", ".json", "config-", path => LocalizerConfig.FromJson(File.ReadAllText(path), path),
            dir => File.WriteAllText(Path.Combine(dir, "seed.json"), LocalizerConfig.Derive(3, 0.5, [60, 50, 40]).ToJson())),
    ];

    private static FuzzTarget ImageTarget(string name, string extension, string prefix) => new(name, extension, prefix, path => ImageFile.Read(path), dir =>
    {
        var geometry = new ImageGeometry(3, new GridSize(5, 4, 3), new Vec3(0.5, 0.6, 0.7), new WorldMm(-3, 2, 1), Matrix3.Rotation(2, 0.3));
        ImageFile.Write(Image.Filled(geometry, 7), Path.Combine(dir, "seed" + extension));
    });

    private static FuzzTarget LandmarkTarget(string name, string extension, string prefix, bool absentAllowed = true) =>
        new(name, extension, prefix, path => LandmarkFile.Read(path), dir =>
            LandmarkFile.Write(new LandmarkSet([new Landmark("a", new WorldMm(1.5, -2, 3)), absentAllowed ? Landmark.Absent("b") : new Landmark("b", new WorldMm(-4, 0.5, 1)),
                new Landmark("c", new WorldMm(0, 0, 9.25))]), Path.Combine(dir, "seed" + extension)));
}
