using System.CommandLine;
using Landmarks.Learning.Export;
using Landmarks.Learning.Model;

namespace Landmarks.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("MODEL") { Description = "Model file from 'landmarks train'." };
        var output = new Option<string>("--out", "-o") { Description = "Exported model to write (a zip: both networks as ONNX graphs, opset 17, with the metadata, template and checksums).", Required = true };
        var command = new Command("export", "Export a trained model's networks to ONNX, to predict with ONNX Runtime (no libtorch): 'predict --model FILE' picks it up.") { model, output };
        command.SetAction(parse => console.Guard(() =>
        {
            Engine.Start("cpu");
            using var torchModel = TorchModel.Load(parse.GetValue(model)!);
            var package = ModelExport.ToOnnx(torchModel);
            string outPath = parse.GetValue(output)!;
            package.Save(outPath);
            console.Out.WriteLine($"wrote {outPath}: {torchModel.LandmarkNames.Count} landmarks, global network {package.GlobalNetwork.Length / 1024} KB, " +
                $"local network {package.LocalNetwork.Length / 1024} KB (ONNX opset {OnnxExport.Opset}){(package.Template is null ? "" : ", pose search template")}");
            return CliConsole.Success;
        }));
        return command;
    }
}
