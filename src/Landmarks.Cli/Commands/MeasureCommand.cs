using System.CommandLine;
using System.Globalization;
using System.Text;
using Landmarks.Evaluation.Measures;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.IO;
using Spectre.Console;

namespace Landmarks.Cli.Commands;

internal static class MeasureCommand
{
    public static Command Create(CliConsole console)
    {
        var predictions = new Option<string?>("--pred") { Description = "Prediction CSV to measure (landmarks called absent count as missing)." };
        var data = new Option<string?>("--data") { Description = "Dataset manifest: measure its reference landmarks (or, with --pred, the predicted cases it lists)." };
        var definitions = DefinitionsOption();
        var output = new Option<string?>("--out", "-o") { Description = "CSV to write: case,measure,value,class." };
        var command = new Command("measure", "Compute clinical measures (angles, distances, ratios) from named landmarks and classify them; by default the ISBI 2015 cephalometric measures.")
            { predictions, data, definitions, output };
        command.SetAction(parse => console.Guard(() =>
        {
            var defs = LoadDefinitions(parse.GetValue(definitions));
            var sets = new SortedDictionary<string, LandmarkSet>(StringComparer.Ordinal);
            if (parse.GetValue(predictions) is string csv)
            {
                foreach (var group in PredictionCsv.Read(csv).GroupBy(r => r.CaseId))
                    sets[group.Key] = new LandmarkSet(group.Select(r => new Landmark(r.Landmark, r.Present ? r.PositionMm : null)));
            }
            else if (parse.GetValue(data) is string manifestPath)
            {
                var manifest = DatasetManifest.Load(manifestPath);
                foreach (var c in manifest.Cases) sets[c.Id] = manifest.LoadCase(c).Reference;
            }
            else throw new CliUsageException("give --pred CSV or --data MANIFEST");
            var known = sets.Values.SelectMany(s => s.Names).ToHashSet();
            var missing = defs.LandmarkNames.Where(n => !known.Contains(n)).ToList();
            if (missing.Count > 0) throw new CliUsageException($"the measures need landmarks the input does not have: {string.Join(", ", missing)}");

            var table = new Table().Border(TableBorder.Simple).AddColumn("case");
            foreach (var m in defs.Measures) table.AddColumn(new TableColumn(Markup.Escape($"{m.Name} ({m.Unit})")).RightAligned());
            var text = new StringBuilder("case,measure,value,class\n");
            foreach (var (id, set) in sets)
            {
                var values = MeasureCalculator.Compute(defs, set);
                table.AddRow([Markup.Escape(id), .. values.Select(v => Markup.Escape($"{Format(v.Value)} {ShortClass(v.Class)}"))]);
                foreach (var v in values) text.Append($"{Csv.Quote(id)},{Csv.Quote(v.Measure)},{Format(v.Value)},{Csv.Quote(v.Class ?? "")}\n");
            }
            console.Ansi.Write(table);
            if (parse.GetValue(output) is string outPath)
            {
                AtomicFile.WriteAllText(outPath, text.ToString());
                console.Out.WriteLine($"wrote {outPath} ({sets.Count} cases, {defs.Measures.Count} measures)");
            }
            return CliConsole.Success;
        }));
        return command;
    }

    public static Option<string?> DefinitionsOption() => new("--definitions")
    {
        Description = "Measure definitions (JSON, see docs/FORMATS.md). Default: the ISBI 2015 cephalometric measures (ANB, SNB, SNA, ODI, APDI, FHI, FMA, MW).",
    };

    public static MeasureDefinitions LoadDefinitions(string? path) => path is null ? MeasureDefinitions.Isbi2015 : MeasureDefinitions.Load(path);

    /// <summary>A class's short tag ("C1") when its name starts with one, else the name.</summary>
    private static string ShortClass(string? name) => name is null ? "-" : name.Split(' ')[0];

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.###", CultureInfo.InvariantCulture) : "";
}
