using System.CommandLine;
using Landmarks.Imaging.Datasets;

namespace Landmarks.Cli.Commands;

internal static class ImportCommand
{
    public static Command Create(CliConsole console)
    {
        var folder = new Argument<string>("DIR") { Description = "The challenge folder, holding RawImage/ and AnnotationsByMD/." };
        var output = new Option<string>("--out", "-o") { Description = "Manifest to write for the training split; test splits get .test1/.test2 before the extension.", Required = true };
        var isbi = new Command("isbi2015", "Import the ISBI 2015 cephalometric challenge (0.1 mm pixels, 19 landmarks, senior reference, junior second observer).") { folder, output };
        isbi.SetAction(parse => console.Guard(() =>
        {
            string outPath = parse.GetValue(output)!;
            foreach (var split in Isbi2015.Import(parse.GetValue(folder)!))
            {
                string path = split.Split == "train" ? outPath
                    : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, $"{Path.GetFileNameWithoutExtension(outPath)}.{split.Split}{Path.GetExtension(outPath)}");
                split.Manifest.Save(path);
                int observers = split.Manifest.Cases.Count(c => c.SecondObserver is not null);
                console.Out.WriteLine($"{split.Split}: {split.Manifest.Cases.Count} cases, {split.Manifest.LandmarkNames.Count} landmarks, {observers} with a second observer -> {path}");
                foreach (var skipped in split.Skipped) console.Warn($"skipped {skipped}");
            }
            return CliConsole.Success;
        }));
        return new Command("import", "Turn a public dataset's layout into dataset manifests.") { isbi };
    }
}
