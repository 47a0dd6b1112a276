using System.CommandLine;
using Landmarks.Inference.Model;
using Landmarks.Learning.Training;

namespace Landmarks.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var data = new Option<string>("--data") { Description = "Training manifest.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Model file to write.", Required = true };
        var validation = new Option<string?>("--val") { Description = "Validation manifest for checkpoint selection. Default: a fixed, seeded 15% of --data, named in the log." };
        var config = new Option<string?>("--config") { Description = "Configuration JSON (see --write-config). Default: derived from the dataset." };
        var writeConfig = new Option<string?>("--write-config") { Description = "Write the configuration that would be used to this file and stop." };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and sampling: the same seed gives the same model.", DefaultValueFactory = _ => 1 };
        var resume = new Option<bool>("--resume") { Description = "Carry on from the checkpoint beside --out (MODEL.checkpoint)." };
        var budget = new Option<double?>("--time-budget") { Description = "Minutes to train: iteration counts and learning-rate decay are fitted to it." };
        var globalFrom = new Option<string?>("--global-from")
        {
            Description = "Take the global stage (weights and settings) of this trained model and train only the local stage: to try local settings " +
                "without training the global stage again. With the same data, configuration and seed it gives the model a whole run gives.",
        };
        var device = Engine.DeviceOption();
        var command = new Command("train", "Train the global-to-local localizer on a dataset manifest.")
            { data, output, validation, config, writeConfig, seed, resume, budget, globalFrom, device };
        command.SetAction(parse => console.Guard(() =>
        {
            string manifestPath = parse.GetValue(data)!, modelPath = parse.GetValue(output)!;
            if (parse.GetValue(budget) is double minutes && !(minutes > 0 && double.IsFinite(minutes)))
                throw new CliUsageException($"--time-budget {minutes}: must be a positive number of minutes");
            string checkpointPath = modelPath + ".checkpoint";
            if (parse.GetValue(resume) && !File.Exists(checkpointPath))
                throw new CliUsageException($"--resume: there is no checkpoint to resume from ({checkpointPath})");
            var manifest = Landmarks.Imaging.Datasets.DatasetManifest.Load(manifestPath);
            var configuration = parse.GetValue(config) is string configPath
                ? LocalizerConfig.FromJson(File.Exists(configPath) ? File.ReadAllText(configPath) : throw new Landmarks.Imaging.IO.InvalidFileException(configPath, "file not found"), configPath)
                : TrainingRun.DeriveConfig(manifest);
            if (parse.GetValue(writeConfig) is string target)
            {
                if (parse.GetValue(globalFrom) is string source)
                {
                    var (sourceModel, withGlobal) = TrainingRun.TakeGlobalStage(source, manifest, TrainingRun.Sha256Of(manifestPath), configuration, null);
                    sourceModel.Dispose();
                    configuration = withGlobal;
                }
                Landmarks.Imaging.IO.AtomicFile.WriteAllText(target, configuration.ToJson() + "\n");
                console.Out.WriteLine($"wrote {target}");
                return CliConsole.Success;
            }
            var deviceValue = Engine.Start(parse.GetValue(device)!);
            var display = new TrainingDisplay(console);
            using var model = display.Run((progress, log) => TrainingRun.Train(manifestPath, parse.GetValue(validation), modelPath, configuration,
                new TrainerOptions(parse.GetValue(seed), deviceValue, checkpointPath, parse.GetValue(resume),
                    parse.GetValue(budget) is double time ? TimeSpan.FromMinutes(time) : null, progress, log, parse.GetValue(globalFrom))));
            var record = model.Metadata.Training;
            console.Out.WriteLine($"wrote {modelPath} after {display.Elapsed.TotalMinutes:0.0} min" + (record?.ValidationMreMm is double mre
                ? $": validation MRE {mre:0.000} mm (global stage alone {record.BestGlobalMreMm:0.000} mm)" : " (no validation cases)"));
            return CliConsole.Success;
        }));
        return command;
    }
}
