using System.CommandLine;
using Landmarks.Evaluation.Drawing;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Images;

namespace Landmarks.Cli.Commands;

internal static class DrawCommand
{
    public static Command Create(CliConsole console)
    {
        var image = new Argument<string?>("IMAGE") { Description = "Image file (omit when --data and --case are given).", Arity = ArgumentArity.ZeroOrOne };
        var landmarks = new Argument<string?>("LANDMARKS") { Description = "Landmark file (.csv, .json, .mrk.json, .fcsv, .txt).", Arity = ArgumentArity.ZeroOrOne };
        var data = new Option<string?>("--data") { Description = "A dataset manifest: draw one of its cases (reference and second observer)." };
        var caseId = new Option<string?>("--case") { Description = "The case id to draw from --data." };
        var names = new Option<string?>("--names") { Description = "Landmark names for .txt files, comma-separated. Default: numbers." };
        var spacing = CommonOptions.Spacing();
        var size = new Option<int?>("--size") { Description = "Longer side of each picture panel, in pixels (16 to 8000). Default: 1200 for 2D, 400 for 3D." };
        var landmark = new Option<string?>("--landmark") { Description = "3D: the landmark whose three orthogonal slices are drawn. Default: every landmark, a row of slices each." };
        var output = new Option<string>("--out", "-o") { Description = "PNG to write (.png).", Required = true };
        var command = new Command("draw", "Draw landmarks over an image to a PNG: a 2D image as it is; a 3D image as three maximum-intensity projections, " +
            "then three orthogonal slices through each landmark (or --landmark), with orientation letters.")
            { image, landmarks, data, caseId, names, spacing, size, landmark, output };
        command.SetAction(parse => console.Guard(() =>
        {
            Image picture;
            var layers = new List<MarkerLayer>();
            if (parse.GetValue(data) is string manifestPath)
            {
                var manifest = DatasetManifest.Load(manifestPath);
                string id = parse.GetValue(caseId) ?? throw new CliUsageException("--data needs --case ID");
                var c = manifest.Cases.FirstOrDefault(x => x.Id == id) ?? throw new CliUsageException($"case '{id}' is not in {manifestPath}");
                var loaded = manifest.LoadCase(c, console.Warn);
                picture = loaded.Image;
                layers.Add(new MarkerLayer(loaded.Reference, OverlayRenderer.Reference, "reference"));
                if (loaded.SecondObserver is not null) layers.Add(new MarkerLayer(loaded.SecondObserver, OverlayRenderer.SecondObserver, "second observer"));
            }
            else
            {
                string imagePath = parse.GetValue(image) ?? throw new CliUsageException("give IMAGE and LANDMARKS, or --data and --case");
                string landmarkPath = parse.GetValue(landmarks) ?? throw new CliUsageException("give LANDMARKS after IMAGE");
                picture = ImageFile.Read(imagePath, new ImageReadOptions(CommonOptions.ParseSpacing(parse.GetValue(spacing)), console.Warn));
                var landmarkNames = CommonOptions.ParseNames(parse.GetValue(names))
                    ?? (LandmarkFile.NeedsImageGrid(landmarkPath) && File.Exists(landmarkPath)
                        ? Enumerable.Range(1, File.ReadLines(landmarkPath).Count(l => l.Trim().Length > 0)).Select(n => $"{n}").ToList()
                        : null);
                var set = LandmarkFile.Read(landmarkPath, picture.Geometry, landmarkNames);
                layers.Add(new MarkerLayer(set, OverlayRenderer.Reference, Path.GetFileName(landmarkPath)));
                var outside = set.Landmarks.Where(l => l.PositionMm is { } p && !picture.Geometry.ContainsWorld(p)).Select(l => l.Name).ToList();
                if (outside.Count > 0) console.Warn($"{outside.Count} landmarks lie outside the image: {string.Join(", ", outside)}");
            }
            string outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new CliUsageException($"--out {outPath}: pictures are written as PNG, name the file .png");
            int panelSize = parse.GetValue(size) ?? (picture.Dimension == 2 ? 1200 : 400);
            if (panelSize < 16 || panelSize > OverlayRenderer.MaximumPanelSize)
                throw new CliUsageException($"--size {panelSize}: must be between 16 and {OverlayRenderer.MaximumPanelSize} pixels");
            var panels = new List<ImagePanel>(OverlayRenderer.PanelsOf(picture));
            if (picture.Dimension == 3)
            {
                var reference = layers[0].Landmarks;
                var through = parse.GetValue(landmark) is string chosen
                    ? [reference.Find(chosen) ?? throw new CliUsageException($"--landmark '{chosen}' is not among the landmarks ({string.Join(", ", reference.Names.Take(10))}{(reference.Count > 10 ? ", ..." : "")})")]
                    : reference.Landmarks;
                foreach (var l in through.Where(l => l.PositionMm is not null))
                    panels.AddRange(OverlayRenderer.SlicesThrough(picture, l.PositionMm!.Value, l.Name));
            }
            using var bitmap = OverlayRenderer.Render(panels, layers, panelSize, columns: picture.Dimension == 3 ? 3 : null);
            if (Fonts.Sans is null) console.Warn("no font file found (install fonts-dejavu-core): landmarks are drawn without labels");
            OverlayRenderer.SavePng(bitmap, outPath);
            console.Out.WriteLine($"wrote {outPath} ({bitmap.Width}x{bitmap.Height}, {layers.Sum(l => l.Landmarks.Count)} landmarks)");
            return CliConsole.Success;
        }));
        return command;
    }
}
