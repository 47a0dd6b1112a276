using System.CommandLine;
using System.Globalization;
using Landmarks.Imaging.Datasets;
using Spectre.Console;

namespace Landmarks.Cli.Commands;

internal static class DatasetCommand
{
    public static Command Create(CliConsole console) =>
        new("dataset", "Create and check dataset manifests (cases of an image, landmarks and an optional second observer).")
        {
            CreateSubcommand(console),
            CheckSubcommand(console),
            SplitSubcommand(console),
            AugmentSubcommand(console),
            HalvesSubcommand(console),
            ReferenceSubcommand(console),
        };

    private static Command ReferenceSubcommand(CliConsole console)
    {
        var manifestPath = new Argument<string>("FILE") { Description = "Dataset manifest whose cases have a second observer." };
        var use = new Option<ObserverReference>("--use") { Description = "The new reference: Mean (the observers' midpoint) or Second (the second observer).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the new reference landmarks (Slicer markups) and their manifest; the images stay where they are.", Required = true };
        var command = new Command("reference", "Write a manifest of the same images whose reference is the two observers' mean, or the second observer: to train on the consensus, or to score a model against either observer or their mean.")
            { manifestPath, use, output };
        command.SetAction(parse => console.Guard(() =>
        {
            var manifest = ObserverReferences.Write(DatasetManifest.Load(parse.GetValue(manifestPath)!), parse.GetValue(use), parse.GetValue(output)!);
            console.Out.WriteLine($"{manifest.Cases.Count} cases -> {Path.Combine(parse.GetValue(output)!, manifest.Name + ".json")}");
            return CliConsole.Success;
        }));
        return command;
    }

    private static Command HalvesSubcommand(CliConsole console)
    {
        var manifestPath = new Argument<string>("FILE") { Description = "Dataset manifest whose cases are cut." };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the halves (NIfTI, Slicer markups) and their manifest.", Required = true };
        var command = new Command("halves", "Write each case cut to its top half and to its left half, landmarks left outside marked absent: to measure how a model's presence calls cope with a smaller field of view.")
            { manifestPath, output };
        command.SetAction(parse => console.Guard(() =>
        {
            var manifest = PartialViews.Write(DatasetManifest.Load(parse.GetValue(manifestPath)!), parse.GetValue(output)!);
            console.Out.WriteLine($"{manifest.Cases.Count} halves -> {Path.Combine(parse.GetValue(output)!, manifest.Name + ".json")}");
            return CliConsole.Success;
        }));
        return command;
    }

    private static Command AugmentSubcommand(CliConsole console)
    {
        var manifestPath = new Argument<string>("FILE") { Description = "Dataset manifest whose cases are copied." };
        var copies = new Option<int>("--copies") { Description = "Copies per case.", DefaultValueFactory = _ => 20 };
        var degrees = new Option<double>("--degrees") { Description = "Largest rotation about each axis, in degrees.", DefaultValueFactory = _ => 15 };
        var shift = new Option<double>("--shift") { Description = "Largest shift along each axis, as a share of the image extent.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random motions.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the copies (NIfTI, Slicer markups) and their manifest.", Required = true };
        var command = new Command("augment", "Write rigidly moved copies of each case (anatomy rotated and shifted in world space, landmarks moved with it), for datasets of very few scans.")
            { manifestPath, copies, degrees, shift, seed, output };
        command.SetAction(parse => console.Guard(() =>
        {
            var manifest = RigidCopies.Write(DatasetManifest.Load(parse.GetValue(manifestPath)!), parse.GetValue(output)!,
                parse.GetValue(copies), parse.GetValue(degrees), parse.GetValue(shift), parse.GetValue(seed));
            console.Out.WriteLine($"{manifest.Cases.Count} copies -> {Path.Combine(parse.GetValue(output)!, manifest.Name + ".json")}");
            return CliConsole.Success;
        }));
        return command;
    }

    private static Command SplitSubcommand(CliConsole console)
    {
        var manifestPath = new Argument<string>("FILE") { Description = "Dataset manifest to split." };
        var first = new Option<int?>("--first") { Description = "The first N cases, in manifest order, for training; the rest for validation (e.g. ISBI 001-120 and 121-150)." };
        var random = new Option<bool>("--random") { Description = "A seeded random share of the cases (--val-share) for validation, the rest for training." };
        var share = new Option<double>("--val-share") { Description = "With --random: the share of the cases held out.", DefaultValueFactory = _ => 0.2 };
        var folds = new Option<int?>("--folds") { Description = "K cross-validation folds: --out DIR receives NAME-foldK-train.json and NAME-foldK-test.json for each." };
        var seed = new Option<int>("--seed") { Description = "Seed of the shuffle of --random and --folds (cases sorted by id first, so the manifest's order does not matter).", DefaultValueFactory = _ => 1 };
        var train = new Option<string?>("--train") { Description = "With --first or --random: the training manifest to write." };
        var validation = new Option<string?>("--val") { Description = "With --first or --random: the manifest of the held-out cases to write." };
        var output = new Option<string?>("--out", "-o") { Description = "With --folds: folder for the fold manifests." };
        var command = new Command("split", "Split a manifest: the first N cases and the rest, a seeded random share, or K cross-validation folds.")
            { manifestPath, first, random, share, folds, seed, train, validation, output };
        command.SetAction(parse => console.Guard(() =>
        {
            int modes = (parse.GetValue(first) is null ? 0 : 1) + (parse.GetValue(random) ? 1 : 0) + (parse.GetValue(folds) is null ? 0 : 1);
            if (modes != 1) throw new CliUsageException("give one of --first N, --random or --folds K");
            var manifest = DatasetManifest.Load(parse.GetValue(manifestPath)!);
            int seedValue = parse.GetValue(seed);
            try
            {
                if (parse.GetValue(folds) is int k)
                {
                    string folder = parse.GetValue(output) ?? throw new CliUsageException("--folds needs --out DIR");
                    Directory.CreateDirectory(folder);
                    foreach (var fold in DatasetSplits.Folds(manifest, k, seedValue))
                    {
                        fold.Train.Save(Path.Combine(folder, fold.Train.Name + ".json"));
                        fold.Test.Save(Path.Combine(folder, fold.Test.Name + ".json"));
                        console.Out.WriteLine($"{fold.Name}: {fold.Train.Cases.Count} training cases, {fold.Test.Cases.Count} test cases: {string.Join(", ", fold.Test.Cases.Select(c => c.Id))}");
                    }
                    console.Out.WriteLine($"{k} folds (seed {seedValue}) -> {folder}");
                    return CliConsole.Success;
                }
                string trainPath = parse.GetValue(train) ?? throw new CliUsageException("--train FILE is needed"),
                    validationPath = parse.GetValue(validation) ?? throw new CliUsageException("--val FILE is needed");
                var split = parse.GetValue(first) is int n ? DatasetSplits.First(manifest, n) : DatasetSplits.Random(manifest, parse.GetValue(share), seedValue);
                (split.Train with { Name = manifest.Name + "-train" }).Save(trainPath);
                (split.Test with { Name = manifest.Name + "-val" }).Save(validationPath);
                console.Out.WriteLine($"{split.Train.Cases.Count} cases -> {trainPath}, {split.Test.Cases.Count} cases -> {validationPath}");
                return CliConsole.Success;
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message);
            }
        }));
        return command;
    }

    private static Command CreateSubcommand(CliConsole console)
    {
        var images = new Option<string>("--images") { Description = "Folder of images.", Required = true };
        var landmarks = new Option<string>("--landmarks") { Description = "Folder of landmark files, named like the images (001.nii.gz with 001.mrk.json).", Required = true };
        var second = new Option<string?>("--second-observer") { Description = "Folder of a second observer's landmark files, named the same way." };
        var names = new Option<string?>("--names") { Description = "Landmark names, comma-separated, in order. Default: those of the first landmark file." };
        var spacing = CommonOptions.Spacing();
        var name = new Option<string?>("--name") { Description = "Dataset name. Default: the manifest's file name." };
        var output = new Option<string>("--out", "-o") { Description = "Manifest to write (JSON).", Required = true };
        var command = new Command("create", "Build a manifest for your own data by pairing image and landmark files by name.")
            { images, landmarks, second, names, spacing, name, output };
        command.SetAction(parse => console.Guard(() =>
        {
            string outPath = parse.GetValue(output)!;
            var result = DatasetBuilder.Create(parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(outPath),
                parse.GetValue(images)!, parse.GetValue(landmarks)!, parse.GetValue(second),
                CommonOptions.ParseNames(parse.GetValue(names)), CommonOptions.SpacingArray(parse.GetValue(spacing)));
            result.Manifest.Save(outPath);
            foreach (var unpaired in result.Unpaired) console.Warn(unpaired);
            console.Out.WriteLine($"{result.Manifest.Cases.Count} cases, {result.Manifest.LandmarkNames.Count} landmarks -> {outPath}");
            return CliConsole.Success;
        }));
        return command;
    }

    private static Command CheckSubcommand(CliConsole console)
    {
        var manifestPath = new Argument<string>("FILE") { Description = "Dataset manifest (JSON)." };
        var command = new Command("check", "Read every case of a manifest and summarise: cases, sizes, spacings, landmarks outside the image, unreadable files.") { manifestPath };
        command.SetAction(parse => console.Guard(() =>
        {
            var manifest = DatasetManifest.Load(parse.GetValue(manifestPath)!);
            var report = DatasetCheckReport.Run(manifest);
            Print(console, manifest, report);
            return report.Passed ? CliConsole.Success : CliConsole.Failure;
        }));
        return command;
    }

    private static void Print(CliConsole console, DatasetManifest manifest, DatasetCheckReport report)
    {
        string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        var ok = report.Readable;
        var table = new Table().HideHeaders().Border(TableBorder.None).AddColumn("field").AddColumn("value");
        void Row(string field, string value) => table.AddRow(Markup.Escape(field), Markup.Escape(value));
        Row("dataset", manifest.Name);
        Row("cases", $"{report.CaseCount} listed, {ok.Count} readable, {report.Errors.Count} with errors");
        Row("landmarks", $"{manifest.LandmarkNames.Count} per case: {string.Join(", ", manifest.LandmarkNames.Take(6))}{(manifest.LandmarkNames.Count > 6 ? ", ..." : "")}");
        if (ok.Count > 0)
        {
            Row("dimension", string.Join(", ", ok.Select(s => $"{s.Geometry.Dimension}D").Distinct()));
            Row("sizes", string.Join(", ", ok.GroupBy(s => s.Geometry.Size.ToString()).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ({g.Count()})")));
            Row("spacings (mm)", string.Join(", ", ok.GroupBy(s => $"{F(s.Geometry.SpacingMm.X)} x {F(s.Geometry.SpacingMm.Y)}{(s.Geometry.Dimension == 3 ? $" x {F(s.Geometry.SpacingMm.Z)}" : "")}")
                .OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ({g.Count()})")));
            Row("present / absent", $"{ok.Sum(s => s.Present)} / {ok.Sum(s => s.Absent)} reference landmarks");
            Row("second observer", $"{ok.Count(s => s.HasSecondObserver)} cases");
            Row("outside image", $"{ok.Sum(s => s.Outside.Count)} landmarks in {ok.Count(s => s.Outside.Count > 0)} cases");
        }
        console.Ansi.Write(table);
        foreach (var s in ok.Where(s => s.Outside.Count > 0).Take(20))
            console.Warn($"case {s.Id}: outside the image: {string.Join(", ", s.Outside)}");
        foreach (var warning in report.Warnings.Take(5)) console.Warn(warning);
        foreach (var error in report.Errors) console.Error.WriteLine($"error: {error}");
        console.Out.WriteLine(report.Passed ? $"check passed: {ok.Count} of {report.CaseCount} cases readable" : $"check failed: {report.Errors.Count} of {report.CaseCount} cases unreadable");
    }
}
