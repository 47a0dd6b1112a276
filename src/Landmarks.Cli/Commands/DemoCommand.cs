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
            var demo = DemoTraining.WritePhantoms(folder, dimension, seedValue);
            var test = demo.Test;
            string modelPath = Path.Combine(folder, "model.lmk");
            using var model = display.Run((progress, log) => TrainingRun.Train(demo.TrainManifestPath, null, modelPath, DemoTraining.Config(demo),
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
