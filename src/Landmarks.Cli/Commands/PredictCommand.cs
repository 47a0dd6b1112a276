using System.CommandLine;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
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
        var passes = new Option<int?>("--local-passes") { Description = "1 or 2: the local stage's passes (the second averages 5 crops around the first estimate, 7 on volumes). Default: what the model's training chose." };
        var device = Engine.DeviceOption();
        var engine = Engine.EngineOption();
        var command = new Command("predict", "Place the model's landmarks on new images, in world mm, with a confidence for each.")
            { model, inputs, output, markups, spacing, shard, threshold, passes, engine, device };
        command.SetAction(parse => console.Guard(() =>
        {
            string outPath = parse.GetValue(output)!;
            int? localPasses = parse.GetValue(passes);
            if (localPasses is not (null or 1 or 2)) throw new CliUsageException($"--local-passes {localPasses}: the local stage makes 1 or 2 passes");
            using var run = PredictionRun.Open(outPath, parse.GetValue(markups), console.Warn);
            var (localizerModel, owner) = Engine.Load(parse.GetValue(model)!, parse.GetValue(engine), parse.GetValue(device)!);
            using var ownership = owner;
            var cases = Scans(parse.GetValue(inputs)!, CommonOptions.ParseSpacing(parse.GetValue(spacing)), parse.GetValue(shard));
            var summary = run.Run(new Localizer(localizerModel, parse.GetValue(threshold), localPasses), cases, outcome =>
            {
                if (outcome.Landmarks is { } located)
                    console.Out.WriteLine($"{outcome.CaseId}: {located.Count(l => l.Present)} of {located.Count} landmarks present, " +
                        $"located in {outcome.Located.TotalSeconds:0.000} s (image read in {outcome.Read.TotalSeconds:0.000} s)");
                else
                    console.Error.WriteLine($"error: case {outcome.CaseId}: {outcome.Error}");
            });
            console.Out.WriteLine($"{summary.Predicted} cases predicted, {summary.Skipped} already in {outPath}, {summary.Failed} failed");
            return summary.Failed == 0 ? CliConsole.Success : CliConsole.Failure;
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
