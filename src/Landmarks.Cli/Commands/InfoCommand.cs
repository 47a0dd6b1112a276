using System.CommandLine;
using Landmarks.Imaging.Formats;
using Spectre.Console;

namespace Landmarks.Cli.Commands;

internal static class InfoCommand
{
    public static Command Create(CliConsole console)
    {
        var image = new Argument<string>("IMAGE") { Description = "Image file (.nii, .nii.gz, .mha, .mhd, .nrrd, .nhdr, .png, .jpg, .bmp)." };
        var spacing = CommonOptions.Spacing();
        var command = new Command("info", "Print an image's size, spacing, origin, direction cosines (LPS) and intensity range.") { image, spacing };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetValue(image)!;
            var img = ImageFile.Read(path, new ImageReadOptions(CommonOptions.ParseSpacing(parse.GetValue(spacing)), console.Warn));
            var g = img.Geometry;
            var stats = img.Statistics();
            string F(double v) => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
            var table = new Table().HideHeaders().Border(TableBorder.None).AddColumn("field").AddColumn("value");
            void Row(string field, string value) => table.AddRow(Markup.Escape(field), Markup.Escape(value));
            Row("file", path);
            Row("format", ImageFile.FormatNameOf(path));
            Row("dimension", $"{g.Dimension}D");
            Row("size", g.Dimension == 2 ? $"{g.Size.X} x {g.Size.Y} pixels" : $"{g.Size.X} x {g.Size.Y} x {g.Size.Z} voxels");
            Row("spacing", g.Dimension == 2 ? $"{F(g.SpacingMm.X)} x {F(g.SpacingMm.Y)} mm" : $"{F(g.SpacingMm.X)} x {F(g.SpacingMm.Y)} x {F(g.SpacingMm.Z)} mm");
            Row("origin", $"{F(g.OriginMm.X)}, {F(g.OriginMm.Y)}, {F(g.OriginMm.Z)} mm (LPS)");
            for (int axis = 0; axis < 3; axis++)
            {
                var d = g.Direction.Column(axis);
                Row(axis == 0 ? "direction" : "", $"axis {"ijk"[axis]}: {F(d.X)}, {F(d.Y)}, {F(d.Z)}");
            }
            var extent = g.ExtentMm;
            Row("extent", g.Dimension == 2 ? $"{F(extent.X)} x {F(extent.Y)} mm" : $"{F(extent.X)} x {F(extent.Y)} x {F(extent.Z)} mm");
            Row("intensity", $"min {F(stats.Min)}, max {F(stats.Max)}, mean {F(stats.Mean)}, sd {F(stats.StandardDeviation)}");
            Row("percentiles", $"0.5%: {F(stats.Percentile0_5)}, median: {F(stats.Median)}, 99.5%: {F(stats.Percentile99_5)}");
            console.Ansi.Write(table);
            return CliConsole.Success;
        }));
        return command;
    }
}
