using System.Buffers.Binary;
using System.Security.Cryptography;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Model;
using Landmarks.Learning.Model;
using SkiaSharp;

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
        new("jpeg", ".jpg", "jpeg-", path => ImageFile.Read(path, new ImageReadOptions(RasterSpacingMm)), dir => WriteSkiaSeed(dir, "seed.jpg", SKEncodedImageFormat.Jpeg)),
        new("bmp", ".bmp", "bmp-", path => ImageFile.Read(path, new ImageReadOptions(RasterSpacingMm)), WriteBmpSeeds),
        LandmarkTarget("csv", ".csv", "landmarks-"),
        LandmarkTarget("json", ".json", "landmarks-"),
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
        new("model", ".lmk", "model-", ReadModelBody, WriteModelSeed),
        new("config", ".json", "config-", path => LocalizerConfig.FromJson(File.ReadAllText(path), path),
            dir => File.WriteAllText(Path.Combine(dir, "seed.json"), LocalizerConfig.Derive(3, 0.5, [60, 50, 40]).ToJson())),
    ];

    /// <summary>A model file's body: its checksum is appended before reading, as anyone can append one, so that the fuzzer
    /// reaches what lies behind the check (metadata, network weights, template) instead of meeting the checksum alone.</summary>
    private static void ReadModelBody(string path)
    {
        var body = File.ReadAllBytes(path);
        string model = path + ".lmk";
        File.WriteAllBytes(model, [.. body, .. SHA256.HashData(body)]);
        try
        {
            TorchModel.Load(model).Dispose();
        }
        finally
        {
            File.Delete(model);
        }
    }

    /// <summary>A model of the smallest networks (a few kilobytes, as afl-fuzz likes its seeds), without its checksum.</summary>
    private static void WriteModelSeed(string dir)
    {
        var derived = LocalizerConfig.Derive(2, 1, [16, 16], globalGridVoxels: 16);
        var config = derived with { Global = derived.Global with { Channels = [2, 2], Blocks = [1, 1], CropSize = [16, 16] }, Local = derived.Local with { Channels = [2, 2] } };
        var metadata = new ModelMetadata(TorchModel.FormatVersion, "seed", ["a", "b"], config, ModelMetadata.Normalisation, "", null, null, null, null, null);
        string path = Path.Combine(dir, "seed.lmk.full");
        using (var model = TorchModel.Create(metadata)) model.Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(Path.Combine(dir, "seed.lmk"), bytes[..^32]);
        File.Delete(path);
    }

    private static void WriteSkiaSeed(string dir, string name, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(9, 7, SKColorType.Gray8));
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 9; x++) bitmap.SetPixel(x, y, new SKColor((byte)(20 * x), (byte)(30 * y), 7));
        using var data = bitmap.Encode(format, 90);
        File.WriteAllBytes(Path.Combine(dir, name), data.ToArray());
    }

    /// <summary>Skia writes no BMP: a 24-bit and an 8-bit palette file by the format's headers (BITMAPINFOHEADER, rows bottom up,
    /// each padded to 4 bytes).</summary>
    private static void WriteBmpSeeds(string dir)
    {
        foreach (int bits in new[] { 24, 8 })
        {
            const int width = 5, height = 3;
            int row = (width * bits / 8 + 3) / 4 * 4, palette = bits == 8 ? 256 * 4 : 0, offset = 54 + palette;
            var bytes = new byte[offset + row * height];
            void U16(int at, int v) => BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)v);
            void I32(int at, int v) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), v);
            bytes[0] = (byte)'B';
            bytes[1] = (byte)'M';
            I32(2, bytes.Length);
            I32(10, offset);
            I32(14, 40);
            I32(18, width);
            I32(22, height);
            U16(26, 1);
            U16(28, bits);
            I32(34, row * height);
            for (int n = 0; n < palette / 4; n++) bytes[54 + 4 * n] = bytes[55 + 4 * n] = bytes[56 + 4 * n] = (byte)n;
            for (int n = offset; n < bytes.Length; n++) bytes[n] = (byte)(n * 37);
            File.WriteAllBytes(Path.Combine(dir, $"seed-{bits}.bmp"), bytes);
        }
    }

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
