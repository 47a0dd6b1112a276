using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using Landmarks.Evaluation.Metrics;
using Landmarks.Evaluation.Reports;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
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
        var command = new Command("evaluate", "Score predictions against a dataset's reference: radial errors, success detection rates, second-observer comparison, report.")
            { predictions, data, output, thresholds, gallery };
        command.SetAction(parse => console.Guard(() =>
        {
            var thresholdsMm = parse.GetValue(thresholds)!.Split(',', StringSplitOptions.TrimEntries).Select(t =>
                double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? v : throw new CliUsageException($"--thresholds: '{t}' is not a positive number")).ToList();
            var manifest = DatasetManifest.Load(parse.GetValue(data)!);
            var predictionFiles = parse.GetValue(predictions)!;
            var tables = predictionFiles.Select(p => (Name: UniqueName(p, predictionFiles), Rows: PredictionCsv.Read(p))).ToList();

            var predictedCases = tables.SelectMany(t => t.Rows.Select(r => r.CaseId)).ToHashSet();
            var unknown = predictedCases.Where(id => manifest.Cases.All(c => c.Id != id)).ToList();
            if (unknown.Count > 0) console.Warn($"{unknown.Count} predicted cases are not in the manifest and are ignored: {string.Join(", ", unknown.Take(5))}");
            var cases = manifest.Cases.Where(c => predictedCases.Contains(c.Id)).ToList();
            if (cases.Count == 0) throw new CliUsageException("no predicted case is in the manifest: nothing to evaluate");

            var references = new ConcurrentDictionary<string, LandmarkSet>();
            var observers = new ConcurrentDictionary<string, LandmarkSet>();
            Parallel.ForEach(cases, c =>
            {
                var loaded = manifest.LoadCase(c);  // images are read for their grid and dropped here
                references[c.Id] = loaded.Reference;
                if (loaded.SecondObserver is not null) observers[c.Id] = loaded.SecondObserver;
            });

            var models = tables.Select(t => new NamedEvaluation(t.Name, LandmarkEvaluation.Compute(references, t.Rows, manifest.LandmarkNames, thresholdsMm))).ToList();
            NamedEvaluation? observer = observers.IsEmpty ? null : new NamedEvaluation("second observer", LandmarkEvaluation.Compute(
                references.Where(kv => observers.ContainsKey(kv.Key)).ToDictionary(),
                observers.SelectMany(kv => LandmarkEvaluation.AsPredictions(kv.Key, kv.Value)), manifest.LandmarkNames, thresholdsMm));
            var comparisons = new List<Comparison>();
            for (int a = 0; a < models.Count; a++)
                for (int b = a + 1; b < models.Count; b++) comparisons.Add(Comparison.Of(models[a], models[b]));

            Print(console, manifest.LandmarkNames, models, observer, comparisons);

            if (parse.GetValue(output) is string folder)
            {
                Directory.CreateDirectory(folder);
                var all = observer is null ? models : [.. models, observer];
                EvaluationFiles.WriteMetricsJson(Path.Combine(folder, "metrics.json"), models, observer, comparisons);
                EvaluationFiles.WriteErrorsCsv(Path.Combine(folder, "errors.csv"), all);
                var items = WorstCases(manifest, models[0], observers, parse.GetValue(gallery));
                HtmlReport.Write(Path.Combine(folder, "report.html"), $"Evaluation on {manifest.Name}", models, observer, comparisons, items);
                console.Out.WriteLine($"wrote {Path.Combine(folder, "metrics.json")}, errors.csv and report.html");
            }
            return CliConsole.Success;
        }));
        return command;
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

    internal static void Print(CliConsole console, IReadOnlyList<string> names, IReadOnlyList<NamedEvaluation> models, NamedEvaluation? observer, IReadOnlyList<Comparison> comparisons)
    {
        var all = observer is null ? models : [.. models, observer];
        string F(double v, string format = "0.00") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
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
            console.Out.WriteLine($"{n.Name}: {n.Evaluation.CaseCount} cases, MRE {F(o.MeanMm, "0.000")} ± {F(o.StandardDeviationMm, "0.000")} mm, median {F(o.MedianMm)}, "
                + $"95th percentile {F(o.Percentile95Mm)}, max {F(o.MaxMm)}; SDR "
                + string.Join(", ", o.DetectionRates.Select(r => $"{F(r.ThresholdMm, "0.##")} mm {F(100 * r.Rate, "0.0")}%"))
                + $"; called absent {p.CalledAbsent}, not predicted {p.NotPredicted}, falsely present {p.FalselyPresent}, correctly absent {p.CorrectlyAbsent}");
            if (n.Evaluation.CasesWithoutPredictions.Count > 0 && n != observer)
                console.Warn($"{n.Name}: {n.Evaluation.CasesWithoutPredictions.Count} cases of the evaluated set have no prediction in this file");
        }
        foreach (var c in comparisons)
            console.Out.WriteLine($"{c.First} vs {c.Second}: {c.Pairs} pairs, mean difference {F(c.MeanDifferenceMm, "+0.000;-0.000")} mm, "
                + $"Wilcoxon signed-rank p = {F(c.Test.PValue, "0.####")} ({(c.Test.PValue < 0.05 ? "significant" : "not significant")} at 0.05)");
    }
}
