using System.CommandLine;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Cli.Commands;

internal static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("IN") { Description = "Image or landmark file to read." };
        var output = new Argument<string>("OUT") { Description = "File to write; the format follows the extension: images .nii, .nii.gz, .mha, .mhd, .nrrd, .png; landmarks .csv, .json, .mrk.json, .fcsv, .txt (ISBI pixels)." };
        var spacing = CommonOptions.Spacing();
        var names = new Option<string?>("--names") { Description = "Landmark names for ISBI .txt input, comma-separated. Default: 1..N." };
        var ras = new Option<bool>("--ras") { Description = "Write landmark coordinates in RAS (.mrk.json, .json, .fcsv); LPS otherwise." };
        var command = new Command("convert", "Convert an image between formats, keeping its voxels and its place in the world; or a landmark file, keeping names, absent marks and world positions.")
            { input, output, spacing, names, ras };
        command.SetAction(parse => console.Guard(() =>
        {
            string inPath = parse.GetValue(input)!, outPath = parse.GetValue(output)!;
            var spacingMm = CommonOptions.ParseSpacing(parse.GetValue(spacing));
            if (LandmarkFile.IsLandmarkPath(inPath) && !ImageFile.IsImagePath(inPath))
            {
                if (!LandmarkFile.IsLandmarkPath(outPath)) throw new CliUsageException($"{outPath}: landmarks are written to .csv, .json, .mrk.json, .fcsv or .txt");
                var set = LandmarkFile.ReadAlone(inPath, spacingMm, CommonOptions.ParseNames(parse.GetValue(names)));
                var grid = LandmarkFile.NeedsImageGrid(outPath)
                    ? LandmarkFile.PixelGrid(spacingMm ?? throw new CliUsageException($"{outPath}: ISBI .txt is in pixels: give the pixel spacing (--spacing)"))
                    : null;
                LandmarkFile.Write(set, outPath, grid, parse.GetValue(ras));
                console.Out.WriteLine($"wrote {outPath} ({set.Count} landmarks, {set.Landmarks.Count(l => !l.IsPresent)} absent, {LandmarkFile.FormatNameOf(outPath)})");
                return CliConsole.Success;
            }
            if (parse.GetValue(ras)) throw new CliUsageException("--ras is for landmark files");
            var image = ImageFile.Read(inPath, new ImageReadOptions(spacingMm, console.Warn));
            if (ImageFile.FormatOf(outPath) is RasterFormat)
            {
                var g = image.Geometry;
                if (g.OriginMm != new WorldMm(0, 0, 0) || g.Direction != Matrix3.Identity)
                    console.Warn($"{outPath}: PNG keeps the pixel spacing but no origin or orientation; it reads back with its first pixel at the origin");
            }
            ImageFile.Write(image, outPath);
            console.Out.WriteLine($"wrote {outPath} ({image.Geometry.Size}, {ImageFile.FormatOf(outPath)!.Name})");
            return CliConsole.Success;
        }));
        return command;
    }
}
