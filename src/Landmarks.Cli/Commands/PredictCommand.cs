using System.CommandLine;
using System.Diagnostics;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;
using Landmarks.Inference;

namespace Landmarks.Cli.Commands;

internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file from 'landmarks train'.", Required = true };
        var inputs = new Argument<string[]>("INPUTS") { Description = "Images, folders of images (a folder holding one DICOM series is one 3D image), or dataset manifests.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Prediction CSV (case,landmark,x,y,z,confidence,present; world mm). Cases already in it are skipped.", Required = true };
        var markups = new Option<string?>("--mrk") { Description = "Also write one 3D Slicer .mrk.json per case into this folder." };
        var spacing = CommonOptions.Spacing();
        var shard = new Option<string?>("--shard") { Description = "K/N: take every N-th case starting with the K-th (1-based), to split a cohort across nodes." };
        var threshold = new Option<double?>("--presence-threshold") { Description = "Confidence below which a landmark is called absent. Default: the model's." };
        var device = Engine.DeviceOption();
        var engine = Engine.EngineOption();
        var command = new Command("predict", "Place the model's landmarks on new images, in world mm, with a confidence for each.")
            { model, inputs, output, markups, spacing, shard, threshold, engine, device };
        command.SetAction(parse => console.Guard(() =>
        {
            string outPath = parse.GetValue(output)!;
            using var writing = WriterLock.Acquire(outPath);
            var (localizerModel, owner) = Engine.Load(parse.GetValue(model)!, parse.GetValue(engine), parse.GetValue(device)!);
            using var ownership = owner;
            var localizer = new Localizer(localizerModel, parse.GetValue(threshold));
            var cases = Scans(parse.GetValue(inputs)!, CommonOptions.ParseSpacing(parse.GetValue(spacing)), parse.GetValue(shard));
            var rows = File.Exists(outPath) ? PredictionCsv.Read(outPath).ToList() : [];
            var done = rows.Select(r => r.CaseId).ToHashSet();
            int failed = 0, predicted = 0, skipped = 0;
            var clock = new Stopwatch();
            foreach (var input in cases)
            {
                if (done.Contains(input.CaseId)) { skipped++; continue; }
                try
                {
                    clock.Restart();
                    var image = ImageFile.Read(input.ImagePath, new Landmarks.Imaging.Formats.ImageReadOptions(input.SpacingMm, console.Warn));
                    var read = clock.Elapsed;
                    clock.Restart();
                    var located = localizer.Locate(image);
                    clock.Stop();
                    var caseRows = located.Select(l => new LandmarkPrediction(input.CaseId, l.Name, l.PositionMm, l.Confidence, l.Present)).ToList();
                    rows.AddRange(caseRows);
                    done.Add(input.CaseId);
                    // Rewritten whole and renamed, so an interrupted run leaves a valid file to resume from.
                    PredictionCsv.Write(rows, outPath, image.Dimension);
                    if (parse.GetValue(markups) is string folder)
                        LandmarkFile.Write(new LandmarkSet(located.Select(l => new Landmark(l.Name, l.Present ? l.PositionMm : null))), Path.Combine(folder, input.CaseId + ".mrk.json"));
                    predicted++;
                    console.Out.WriteLine($"{input.CaseId}: {located.Count(l => l.Present)} of {located.Count} landmarks present, located in {clock.Elapsed.TotalSeconds:0.000} s (image read in {read.TotalSeconds:0.000} s)");
                }
                catch (Exception e) when (e is InvalidFileException or ArgumentException)
                {
                    failed++;
                    console.Error.WriteLine($"error: case {input.CaseId}: {e.Message}");
                }
            }
            console.Out.WriteLine($"{predicted} cases predicted, {skipped} already in {outPath}, {failed} failed");
            return failed == 0 ? CliConsole.Success : CliConsole.Failure;
        }));
        return command;
    }

    /// <summary>The scans of the inputs, or of one shard of them (K/N).</summary>
    internal static IReadOnlyList<ScanInput> Scans(string[] inputs, Vec3? spacing, string? shard)
    {
        try
        {
            var scans = ScanInputs.Expand(inputs, spacing);
            if (shard is null) return scans;
            var parts = shard.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n))
                throw new CliUsageException($"--shard '{shard}': expected K/N with 1 <= K <= N");
            return ScanInputs.Shard(scans, k, n);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message);
        }
    }
}
