using System.CommandLine;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Learning.Export;
using Landmarks.Learning.Model;
using Landmarks.Onnx;

namespace Landmarks.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL") { Description = "Model file from 'landmarks train'." };
        var output = new Option<string>("--out", "-o") { Description = "Exported model to write (a zip: both networks as ONNX graphs, opset 17, with the metadata, template and checksums).", Required = true };
        var int8 = new Option<string[]>("--int8")
        {
            Description = $"2D models: quantize the convolutions to 8-bit integers (faster on CPUs with integer dot products; measure the accuracy on held-out cases), calibrated on up to {CalibrationScans} of these images, folders or manifests (the training cases serve).",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("export", "Export a trained model's networks to ONNX, to predict with ONNX Runtime (no libtorch): 'predict --model FILE' picks it up.") { model, output, int8 };
        command.SetAction(parse => console.Guard(() =>
        {
            Engine.Start("cpu");
            using var torchModel = TorchModel.Load(parse.GetValue(model)!);
            var package = ModelExport.ToOnnx(torchModel);
            bool quantized = parse.GetValue(int8) is { Length: > 0 };
            if (quantized)
            {
                try
                {
                    package = Int8Quantization.Quantize(package, CalibrationImages(parse.GetValue(int8)!, console));
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException($"--int8: {e.Message}");
                }
            }
            string outPath = parse.GetValue(output)!;
            package.Save(outPath);
            console.Out.WriteLine($"wrote {outPath}: {torchModel.LandmarkNames.Count} landmarks, global network {package.GlobalNetwork.Length / 1024} KB, " +
                $"local network {package.LocalNetwork.Length / 1024} KB (ONNX opset {OnnxExport.Opset}{(quantized ? ", 8-bit convolutions" : "")}){(package.Template is null ? "" : ", pose search template")}");
            return CliConsole.Success;
        }));
        return command;
    }

    /// <summary>Images enough to see the range of every tensor; more cost export time, not accuracy.</summary>
    private const int CalibrationScans = 16;

    /// <summary>Up to <see cref="CalibrationScans"/> scans spread evenly over the inputs, read one at a time.</summary>
    private static IEnumerable<Landmarks.Imaging.Images.Image> CalibrationImages(string[] inputs, CliConsole console)
    {
        IReadOnlyList<ScanInput> scans;
        try
        {
            scans = ScanInputs.Expand(inputs, null);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"--int8: {e.Message}");
        }
        if (scans.Count == 0) throw new CliUsageException("--int8: no images among the calibration inputs");
        int count = Math.Min(CalibrationScans, scans.Count);
        for (int n = 0; n < count; n++)
        {
            var scan = scans[n * scans.Count / count];
            yield return ImageFile.Read(scan.ImagePath, new ImageReadOptions(scan.SpacingMm, console.Warn));
        }
    }
}
