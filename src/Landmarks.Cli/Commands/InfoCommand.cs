using System.CommandLine;
using System.Globalization;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Spectre.Console;

namespace Landmarks.Cli.Commands;

internal static class InfoCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "An image (.nii, .nii.gz, .mha, .mhd, .nrrd, .nhdr, .png, .jpg, .bmp, .dcm or a DICOM series folder) or a landmark file (.csv, .json, .mrk.json, .fcsv, ISBI .txt)." };
        var spacing = CommonOptions.Spacing();
        var names = new Option<string?>("--names") { Description = "Landmark names for ISBI .txt files, comma-separated. Default: 1..N." };
        var command = new Command("info", "Print an image's size, spacing, origin, direction cosines (LPS) and intensity range, or a landmark file's landmarks.") { file, spacing, names };
        command.SetAction(parse => console.Guard(() =>
        {
            string path = parse.GetValue(file)!;
            var spacingMm = CommonOptions.ParseSpacing(parse.GetValue(spacing));
            var table = new Table().HideHeaders().Border(TableBorder.None).AddColumn("field").AddColumn("value");
            void Row(string field, string value) => table.AddRow(Markup.Escape(field), Markup.Escape(value));
            if (LandmarkFile.IsLandmarkPath(path) && !ImageFile.IsImagePath(path))
                DescribeLandmarks(path, LandmarkFile.ReadAlone(path, spacingMm, CommonOptions.ParseNames(parse.GetValue(names))), Row);
            else
                DescribeImage(path, ImageFile.Read(path, new ImageReadOptions(spacingMm, console.Warn)), Row);
            console.Ansi.Write(table);
            return CliConsole.Success;
        }));
        return command;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static void DescribeLandmarks(string path, LandmarkSet set, Action<string, string> row)
    {
        var present = set.Landmarks.Where(l => l.IsPresent).ToList();
        row("file", path);
        row("format", "landmarks, " + LandmarkFile.FormatNameOf(path));
        row("landmarks", $"{set.Count}: {present.Count} present, {set.Count - present.Count} absent");
        row("names", string.Join(", ", set.Names.Take(12)) + (set.Count > 12 ? ", ..." : ""));
        if (present.Count == 0) return;
        var points = present.Select(l => l.PositionMm!.Value).ToList();
        row("extent", $"x {F(points.Min(p => p.X))} .. {F(points.Max(p => p.X))}, y {F(points.Min(p => p.Y))} .. {F(points.Max(p => p.Y))}, " +
            $"z {F(points.Min(p => p.Z))} .. {F(points.Max(p => p.Z))} mm (world LPS)");
        foreach (var l in set.Landmarks.Take(60))
            row(l == set.Landmarks[0] ? "positions" : "", l.PositionMm is WorldMm p ? $"{l.Name}: {F(p.X)}, {F(p.Y)}, {F(p.Z)}" : $"{l.Name}: absent");
        if (set.Count > 60) row("", $"... {set.Count - 60} more");
    }

    private static void DescribeImage(string path, Landmarks.Imaging.Images.Image img, Action<string, string> row)
    {
        var g = img.Geometry;
        var stats = img.Statistics();
        row("file", path);
        row("format", ImageFile.FormatNameOf(path));
        row("dimension", $"{g.Dimension}D");
        row("size", g.Dimension == 2 ? $"{g.Size.X} x {g.Size.Y} pixels" : $"{g.Size.X} x {g.Size.Y} x {g.Size.Z} voxels");
        row("spacing", g.Dimension == 2 ? $"{F(g.SpacingMm.X)} x {F(g.SpacingMm.Y)} mm" : $"{F(g.SpacingMm.X)} x {F(g.SpacingMm.Y)} x {F(g.SpacingMm.Z)} mm");
        row("origin", $"{F(g.OriginMm.X)}, {F(g.OriginMm.Y)}, {F(g.OriginMm.Z)} mm (LPS)");
        for (int axis = 0; axis < 3; axis++)
        {
            var d = g.Direction.Column(axis);
            row(axis == 0 ? "direction" : "", $"axis {"ijk"[axis]}: {F(d.X)}, {F(d.Y)}, {F(d.Z)}");
        }
        var extent = g.ExtentMm;
        row("extent", g.Dimension == 2 ? $"{F(extent.X)} x {F(extent.Y)} mm" : $"{F(extent.X)} x {F(extent.Y)} x {F(extent.Z)} mm");
        row("intensity", $"min {F(stats.Min)}, max {F(stats.Max)}, mean {F(stats.Mean)}, sd {F(stats.StandardDeviation)}");
        row("percentiles", $"0.5%: {F(stats.Percentile0_5)}, median: {F(stats.Median)}, 99.5%: {F(stats.Percentile99_5)}");
    }
}
