using System.CommandLine;
using Landmarks.Imaging.Formats;

namespace Landmarks.Cli.Commands;

internal static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("IN") { Description = "Image to read." };
        var output = new Argument<string>("OUT") { Description = "Image to write; the format follows the extension (.nii, .nii.gz, .mha, .mhd, .nrrd, .png)." };
        var spacing = CommonOptions.Spacing();
        var command = new Command("convert", "Convert an image between formats, keeping its voxels and its place in the world.") { input, output, spacing };
        command.SetAction(parse => console.Guard(() =>
        {
            var image = ImageFile.Read(parse.GetValue(input)!, new ImageReadOptions(CommonOptions.ParseSpacing(parse.GetValue(spacing)), console.Warn));
            ImageFile.Write(image, parse.GetValue(output)!);
            console.Out.WriteLine($"wrote {parse.GetValue(output)} ({image.Geometry.Size}, {ImageFile.FormatOf(parse.GetValue(output)!)!.Name})");
            return CliConsole.Success;
        }));
        return command;
    }
}
