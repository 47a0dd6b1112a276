using System.CommandLine;
using Landmarks.Inference.Model;
using Landmarks.Learning.Model;
using Landmarks.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Cli;

/// <summary>The engines that run networks, and the options that choose them, shared by train, predict, export and demo.</summary>
internal static class Engine
{
    public static Option<string> DeviceOption() => new("--device")
    {
        Description = "cpu, or cuda where the engine has a CUDA build (this build ships CPU libtorch and CPU ONNX Runtime; build with -p:LandmarksGpu=true for ONNX Runtime's CUDA one).",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string?> EngineOption() => new("--engine")
    {
        Description = "torch (libtorch, a model from train) or onnx (ONNX Runtime, a model from export). Default: the one the model file is for.",
    };

    /// <summary>Starts libtorch on the device asked for.</summary>
    public static Device Start(string device)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        return device.ToLowerInvariant() switch
        {
            "cpu" => CPU,
            "cuda" when torch.cuda.is_available() => CUDA,
            "cuda" => throw new CliUsageException("--device cuda: no CUDA device is available to this build (it references libtorch-cpu)"),
            _ => throw new CliUsageException($"--device '{device}': use cpu or cuda"),
        };
    }

    /// <summary>A model ready for the localizer, on the engine asked for (or the one its file is for), and what to dispose with it.</summary>
    public static (LocalizerModel Model, IDisposable Owner) Load(string path, string? engine, string device)
    {
        bool package = ModelPackage.IsPackage(path);
        engine ??= package ? "onnx" : "torch";
        switch (engine.ToLowerInvariant())
        {
            case "onnx":
                if (!package) throw new CliUsageException($"--engine onnx: {path} is a model for libtorch; make an ONNX one with 'landmarks export'");
                var onnxDevice = device.ToLowerInvariant() switch
                {
                    "cpu" => OnnxDevice.Cpu,
                    "cuda" => OnnxDevice.Cuda,
                    _ => throw new CliUsageException($"--device '{device}': use cpu or cuda"),
                };
                try
                {
                    var model = OnnxModel.Load(path, onnxDevice);
                    return (model, model);
                }
                catch (InvalidOperationException e) when (onnxDevice == OnnxDevice.Cuda)
                {
                    throw new CliUsageException($"--device cuda: {e.Message}");
                }
            case "torch":
                if (package) throw new CliUsageException($"--engine torch: {path} is an exported model; it runs with --engine onnx");
                var torchDevice = Start(device);
                var torchModel = TorchModel.Load(path, torchDevice);
                return (torchModel.ToInference(torchDevice), torchModel);
            default:
                throw new CliUsageException($"--engine '{engine}': use torch or onnx");
        }
    }
}
