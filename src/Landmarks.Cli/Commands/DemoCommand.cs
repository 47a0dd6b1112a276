using System.CommandLine;
using Landmarks.Evaluation.Drawing;
using Landmarks.Evaluation.Metrics;
using Landmarks.Evaluation.Reports;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Inference;
using Landmarks.Learning.Training;

namespace Landmarks.Cli.Commands;

/// <summary>The whole product on synthetic data, in a few minutes on a laptop's CPU.</summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var threeD = new Option<bool>("--3d") { Description = "Use 3D phantoms (48³ voxels of 1 mm) instead of 2D ones (160² pixels of 0.5 mm)." };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the data, model, predictions and pictures.", DefaultValueFactory = _ => "demo-output" };
        var seed = new Option<int>("--seed") { Description = "Seed of the phantoms and of training.", DefaultValueFactory = _ => 1 };
        var device = Engine.DeviceOption();
        var command = new Command("demo", "Make synthetic phantoms with known landmarks, train both stages, predict on held-out phantoms, print errors, draw overlays.")
            { threeD, output, seed, device };
        command.SetAction(parse => console.Guard(() =>
        {
            var display = new TrainingDisplay(console);
            bool is3D = parse.GetValue(threeD);
            int dimension = is3D ? 3 : 2, seedValue = parse.GetValue(seed);
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            var deviceValue = Engine.Start(parse.GetValue(device)!);

            display.Log($"making {dimension}D phantoms in {folder}");
            // The global stage at 2 mm (40 pixels across in 2D, 24 voxels in 3D), the local one at the phantoms' spacing.
            // Most minutes go to the local stage, in many small steps (docs/BENCHMARKS.md, 2026-12-06): in 3D, on the same
            // phantoms and minutes, 5500 steps of 4 crops gave 1.45 mm held out, 3000 of 8 gave 1.93 mm; in 2D 1500 steps
            // of 8 gave 0.82 mm in 7.5 minutes, 500 of 32 (train's batch) 1.19 mm in 9.4. 3D: more phantoms, which cost
            // little to make and to load.
            var train = Phantoms.WriteDataset(Path.Combine(folder, "train"), "train", dimension, is3D ? 120 : 40, seedValue);
            var test = Phantoms.WriteDataset(Path.Combine(folder, "test"), "test", dimension, is3D ? 20 : 10, seedValue + 1000);
            var config = TrainingRun.DeriveConfig(train, globalGridVoxels: is3D ? 24 : 40);
            config = config with
            {
                Global = config.Global with { Iterations = 1500 },
                Local = config.Local with { Iterations = is3D ? 5500 : 1500, BatchSize = is3D ? 4 : 8 },
                ValidateEvery = is3D ? 500 : 100,
            };
            string modelPath = Path.Combine(folder, "model.lmk");
            using var model = display.Run((progress, log) => TrainingRun.Train(Path.Combine(folder, "train", "train.json"), null, modelPath, config,
                new TrainerOptions(seedValue, deviceValue, modelPath + ".checkpoint", Resume: false, TimeBudget: null, progress, log)));

            display.Log($"predicting {test.Cases.Count} held-out phantoms");
            var localizer = new Localizer(model.ToInference(deviceValue));
            var predictions = new List<LandmarkPrediction>();
            var references = new Dictionary<string, LandmarkSet>();
            int drawn = 0;
            foreach (var c in test.Cases)
            {
                var loaded = test.LoadCase(c);
                var located = localizer.Locate(loaded.Image);
                references[c.Id] = loaded.Reference;
                predictions.AddRange(located.Select(l => new LandmarkPrediction(c.Id, l.Name, l.PositionMm, l.Confidence, l.Present)));
                if (drawn++ < 3)
                {
                    var predicted = new LandmarkSet(located.Select(l => new Landmark(l.Name, l.PositionMm)));
                    using var picture = OverlayRenderer.Render(OverlayRenderer.PanelsOf(loaded.Image),
                        [new MarkerLayer(loaded.Reference, OverlayRenderer.Reference, "reference"), new MarkerLayer(predicted, OverlayRenderer.Prediction, "prediction")], 480);
                    OverlayRenderer.SavePng(picture, Path.Combine(folder, $"{c.Id}.png"));
                }
            }
            PredictionCsv.Write(predictions, Path.Combine(folder, "predictions.csv"), dimension);
            var evaluation = new NamedEvaluation("demo model", LandmarkEvaluation.Compute(references, predictions, test.LandmarkNames, [1, 2, 3, 4], dimension));
            EvaluateCommand.Print(console, test.LandmarkNames, [evaluation], null, [], dimension);
            double voxel = is3D ? 1 : 0.5;
            display.Log($"held-out mean radial error {evaluation.Evaluation.Overall.MeanMm:0.000} mm = {evaluation.Evaluation.Overall.MeanMm / voxel:0.00} voxels of the phantoms ({voxel} mm)");
            display.Log($"wrote {modelPath}, predictions.csv and overlays (green: reference, red: prediction) in {folder}");
            return CliConsole.Success;
        }));
        return command;
    }
}
