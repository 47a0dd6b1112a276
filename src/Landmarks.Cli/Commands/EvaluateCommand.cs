using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using Landmarks.Evaluation.Measures;
using Landmarks.Evaluation.Metrics;
using Landmarks.Evaluation.Reports;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;
using Spectre.Console;

namespace Landmarks.Cli.Commands;

internal static class EvaluateCommand
{
    public static Command Create(CliConsole console)
    {
        var predictions = new Option<string[]>("--pred") { Description = "Prediction CSV (case,landmark,x,y,z,confidence,present; world mm). Repeat to compare models.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset manifest with the reference (and second observer) landmarks.", Required = true };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for metrics.json, errors.csv and report.html." };
        var thresholds = new Option<string>("--thresholds") { Description = "Success detection thresholds in mm, comma-separated.", DefaultValueFactory = _ => "2,2.5,3,4" };
        var gallery = new Option<int>("--gallery") { Description = "Number of worst cases pictured in the report.", DefaultValueFactory = _ => 12 };
        var measures = new Option<bool>("--measures") { Description = "Also compare the classes of clinical measures with the reference's (ISBI 2015's, or --definitions)." };
        var definitions = MeasureCommand.DefinitionsOption();
        var command = new Command("evaluate", "Score predictions against a dataset's reference: radial errors, success detection rates, second-observer comparison, clinical measures, report.")
            { predictions, data, output, thresholds, gallery, measures, definitions };
        command.SetAction(parse => console.Guard(() =>
        {
            var thresholdsMm = parse.GetValue(thresholds)!.Split(',', StringSplitOptions.TrimEntries).Select(t =>
                double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? v : throw new CliUsageException($"--thresholds: '{t}' is not a positive number")).ToList();
            var manifest = DatasetManifest.Load(parse.GetValue(data)!);
            var predictionFiles = parse.GetValue(predictions)!;
            var tables = predictionFiles.Select(p => (Name: UniqueName(p, predictionFiles), Path: p, Rows: PredictionCsv.Read(p))).ToList();
            foreach (var table in tables) CheckNames(table.Path, table.Rows, manifest.LandmarkNames);

            var predictedCases = tables.SelectMany(t => t.Rows.Select(r => r.CaseId)).ToHashSet();
            var unknown = predictedCases.Where(id => manifest.Cases.All(c => c.Id != id)).ToList();
            if (unknown.Count > 0) console.Warn($"{unknown.Count} predicted cases are not in the manifest and are ignored: {string.Join(", ", unknown.Take(5))}");
            var cases = manifest.Cases.Where(c => predictedCases.Contains(c.Id)).ToList();
            if (cases.Count == 0) throw new CliUsageException("no predicted case is in the manifest: nothing to evaluate");

            var references = new ConcurrentDictionary<string, LandmarkSet>();
            var observers = new ConcurrentDictionary<string, LandmarkSet>();
            var grids = new ConcurrentDictionary<string, ImageGeometry>();
            Parallel.ForEach(cases, c =>
            {
                var loaded = manifest.LoadCase(c);  // images are read for their grid and dropped here
                references[c.Id] = loaded.Reference;
                grids[c.Id] = loaded.Image.Geometry;
                if (loaded.SecondObserver is not null) observers[c.Id] = loaded.SecondObserver;
            });
            var dimensions = grids.Values.Select(g => g.Dimension).Distinct().ToList();
            if (dimensions.Count > 1) throw new CliUsageException($"{parse.GetValue(data)}: the manifest mixes 2D and 3D images");
            int dimension = dimensions[0];
            // Read again knowing the dimension: a 3D row without z, or a 2D row with one, is refused with its line.
            tables = [.. tables.Select(t => (t.Name, t.Path, PredictionCsv.Read(t.Path, dimension)))];
            foreach (var table in tables) CheckPlacement(table.Path, table.Rows, grids);

            var models = tables.Select(t => new NamedEvaluation(t.Name, LandmarkEvaluation.Compute(references, t.Rows, manifest.LandmarkNames, thresholdsMm, dimension))).ToList();
            NamedEvaluation? observer = observers.IsEmpty ? null : new NamedEvaluation("second observer", LandmarkEvaluation.Compute(
                references.Where(kv => observers.ContainsKey(kv.Key)).ToDictionary(),
                observers.SelectMany(kv => LandmarkEvaluation.AsPredictions(kv.Key, kv.Value)), manifest.LandmarkNames, thresholdsMm, dimension));
            var comparisons = new List<Comparison>();
            for (int a = 0; a < models.Count; a++)
                for (int b = a + 1; b < models.Count; b++) comparisons.Add(Comparison.Of(models[a], models[b]));

            Print(console, manifest.LandmarkNames, models, observer, comparisons, dimension);
            var agreement = new List<NamedAgreement>();
            if (parse.GetValue(measures) || parse.GetValue(definitions) is not null)
            {
                var defs = MeasureCommand.LoadDefinitions(parse.GetValue(definitions));
                var needed = defs.LandmarkNames.Where(n => !manifest.LandmarkNames.Contains(n)).ToList();
                if (needed.Count > 0) throw new CliUsageException($"the measures need landmarks the dataset does not have: {string.Join(", ", needed)}");
                agreement.AddRange(tables.Select(t => new NamedAgreement(t.Name, MeasureAgreement.Compute(defs, references, AsSets(t.Rows)))));
                if (!observers.IsEmpty) agreement.Add(new NamedAgreement("second observer", MeasureAgreement.Compute(defs, references, observers)));
                foreach (var a in agreement) PrintAgreement(console, a.Name, a.Measures);
            }

            if (parse.GetValue(output) is string folder)
            {
                Directory.CreateDirectory(folder);
                var all = observer is null ? models : [.. models, observer];
                EvaluationFiles.WriteMetricsJson(Path.Combine(folder, "metrics.json"), models, observer, comparisons, agreement);
                EvaluationFiles.WriteErrorsCsv(Path.Combine(folder, "errors.csv"), all);
                var items = WorstCases(manifest, models[0], observers, parse.GetValue(gallery));
                HtmlReport.Write(Path.Combine(folder, "report.html"), $"Evaluation on {manifest.Name}", models, observer, comparisons, agreement, items);
                console.Out.WriteLine($"wrote {Path.Combine(folder, "metrics.json")}, errors.csv and report.html");
            }
            return CliConsole.Success;
        }));
        return command;
    }

    private static Dictionary<string, LandmarkSet> AsSets(IReadOnlyList<LandmarkPrediction> rows) =>
        rows.GroupBy(r => r.CaseId).ToDictionary(g => g.Key, g => new LandmarkSet(g.Select(r => new Landmark(r.Landmark, r.Present ? r.PositionMm : null))));

    private static void PrintAgreement(CliConsole console, string name, IReadOnlyList<MeasureAgreement> agreement)
    {
        string F(double v) => double.IsFinite(v) ? (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
        console.Out.WriteLine($"{name}: classes agreeing with the reference: " + string.Join(", ", agreement.Select(a => $"{a.Measure} {F(a.Accuracy)}")) +
            $"; mean {F(agreement.Select(a => a.Accuracy).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average())} ({agreement.Max(a => a.Cases)} cases)");
    }

    /// <summary>A landmark name the dataset does not know is a mistake (another model's file, a typo), not a miss.</summary>
    private static void CheckNames(string path, IReadOnlyList<LandmarkPrediction> rows, IReadOnlyList<string> names)
    {
        var known = names.ToHashSet();
        var strange = rows.Select(r => r.Landmark).Where(n => !known.Contains(n)).Distinct().ToList();
        if (strange.Count > 0)
            throw new InvalidFileException(path, $"landmark {(strange.Count == 1 ? "name" : "names")} not in the dataset: {string.Join(", ", strange.Take(5))}{(strange.Count > 5 ? ", ..." : "")} " +
                $"(the dataset's: {string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", ..." : "")})");
    }

    /// <summary>Predictions are world mm near their image; one far outside it (pixel indices given as mm, a file of
    /// another dataset) would turn into errors of metres without a word.</summary>
    private static void CheckPlacement(string path, IReadOnlyList<LandmarkPrediction> rows, IReadOnlyDictionary<string, ImageGeometry> grids)
    {
        foreach (var row in rows)
        {
            if (row.PositionMm is not WorldMm at || !grids.TryGetValue(row.CaseId, out var grid)) continue;
            double outside = DistanceOutsideMm(grid, at), size = Math.Max(grid.ExtentMm.X, Math.Max(grid.ExtentMm.Y, grid.Dimension == 3 ? grid.ExtentMm.Z : 0));
            if (outside > size)
                throw new InvalidFileException(path, $"case {row.CaseId}, landmark {row.Landmark}: {at} lies {outside:0} mm outside its image ({size:0} mm across). " +
                    "Predictions are world mm (LPS): are these pixel indices, or the predictions of another dataset?");
        }
    }

    /// <summary>How far a point lies outside the image's box, along the grid's axes (0 inside).</summary>
    private static double DistanceOutsideMm(ImageGeometry grid, WorldMm at)
    {
        var index = grid.WorldToIndex(at);
        double Beyond(double i, int size, double spacing) => Math.Max(0, Math.Max(-0.5 - i, i - (size - 0.5))) * spacing;
        double x = Beyond(index.I, grid.Size.X, grid.SpacingMm.X), y = Beyond(index.J, grid.Size.Y, grid.SpacingMm.Y);
        double z = grid.Dimension == 3 ? Beyond(index.K, grid.Size.Z, grid.SpacingMm.Z) : 0;
        return Math.Sqrt(x * x + y * y + z * z);
    }

    private static string UniqueName(string path, string[] all)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return all.Count(p => Path.GetFileNameWithoutExtension(p) == stem) > 1 ? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) + "/" + stem : stem;
    }

    private static IReadOnlyList<GalleryItem> WorstCases(DatasetManifest manifest, NamedEvaluation model, IReadOnlyDictionary<string, LandmarkSet> observers, int count)
    {
        var worst = model.Evaluation.Rows.Where(r => r.ErrorMm is not null).OrderByDescending(r => r.ErrorMm).Take(count).ToList();
        var images = new Dictionary<string, Landmarks.Imaging.Images.Image>();
        var items = new List<GalleryItem>();
        foreach (var row in worst)
        {
            if (!images.TryGetValue(row.CaseId, out var image))
                images[row.CaseId] = image = manifest.LoadCase(manifest.Cases.First(c => c.Id == row.CaseId)).Image;
            var second = observers.TryGetValue(row.CaseId, out var set) ? set.Find(row.Landmark)?.PositionMm : null;
            items.Add(Gallery.Render(image, row, second, $"case {row.CaseId}, {row.Landmark}: {row.ErrorMm:0.00} mm"));
        }
        return items;
    }

    internal static void Print(CliConsole console, IReadOnlyList<string> names, IReadOnlyList<NamedEvaluation> models, NamedEvaluation? observer, IReadOnlyList<Comparison> comparisons, int dimension)
    {
        var all = observer is null ? models : [.. models, observer];
        string F(double v, string format = "0.00") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
        string Line(ErrorSummary s) =>
            $"MRE {F(s.MeanMm, "0.000")} ± {F(s.StandardDeviationMm, "0.000")} mm, median {F(s.MedianMm)}, 95th percentile {F(s.Percentile95Mm)}, max {F(s.MaxMm)}; SDR "
            + string.Join(", ", s.DetectionRates.Select(r => $"{F(r.ThresholdMm, "0.##")} mm {F(100 * r.Rate, "0.0")}%"));
        var cases = new Table().Border(TableBorder.Simple).AddColumn("case");
        foreach (var n in all) cases.AddColumn(new TableColumn(Markup.Escape($"{n.Name}: MRE / max (mm), found")).RightAligned());
        var perCase = all.Select(n => n.Evaluation.PerCase.ToDictionary(c => c.CaseId, c => c.Summary)).ToList();
        foreach (var caseId in perCase[0].Keys)
            cases.AddRow([Markup.Escape(caseId), .. perCase.Select(p => p.TryGetValue(caseId, out var s)
                ? Markup.Escape($"{F(s.MeanMm)} / {F(s.MaxMm)}   {s.Measured} of {s.Expected}") : "-")]);
        console.Ansi.Write(cases);
        var table = new Table().Border(TableBorder.Simple).AddColumn("landmark");
        foreach (var n in all) table.AddColumn(new TableColumn(Markup.Escape($"{n.Name}: MRE ± SD (mm), SDR {F(n.Evaluation.ThresholdsMm[0], "0.##")} mm")).RightAligned());
        for (int i = 0; i < names.Count; i++)
            table.AddRow([Markup.Escape($"{i + 1,2} {names[i]}"), .. all.Select(n =>
            {
                var s = n.Evaluation.PerLandmark[names[i]];
                return Markup.Escape($"{F(s.MeanMm)} ± {F(s.StandardDeviationMm)}   {F(100 * s.DetectionRates[0].Rate, "0.0")}%");
            })]);
        console.Ansi.Write(table);
        // Final figures as plain lines: Spectre may drop the last line when output is not a terminal.
        foreach (var n in all)
        {
            var o = n.Evaluation.Overall;
            var p = n.Evaluation.Presence;
            console.Out.WriteLine($"{n.Name}: {n.Evaluation.CaseCount} cases, {Line(o)}"
                + $"; called absent {p.CalledAbsent}, not predicted {p.NotPredicted}, falsely present {p.FalselyPresent}, correctly absent {p.CorrectlyAbsent}");
            if (n.Evaluation.OverallWithAbsentCalls is { } a)
                console.Out.WriteLine($"{n.Name}: with the positions of the {p.CalledAbsent} landmarks called absent scored too, {Line(a)}");
            var shift = n.Evaluation.MeanSignedErrorMm;
            console.Out.WriteLine($"{n.Name}: mean signed error (prediction minus reference) x {F(shift.X, "+0.000;-0.000")}, y {F(shift.Y, "+0.000;-0.000")}"
                + (dimension == 3 ? $", z {F(shift.Z, "+0.000;-0.000")}" : "") + " mm (world LPS)");
            if (n.Evaluation.CasesWithoutPredictions.Count > 0 && n != observer)
                console.Warn($"{n.Name}: {n.Evaluation.CasesWithoutPredictions.Count} cases of the evaluated set have no prediction in this file");
        }
        foreach (var c in comparisons)
            console.Out.WriteLine($"{c.First} vs {c.Second}: {c.Pairs} pairs, mean difference {F(c.MeanDifferenceMm, "+0.000;-0.000")} mm, "
                + $"Wilcoxon signed-rank p = {F(c.Test.PValue, "0.####")} ({(c.Test.PValue < 0.05 ? "significant" : "not significant")} at 0.05)");
    }
}
