using System.CommandLine;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Cli;

/// <summary>The deep-learning engine's settings shared by train, predict and demo.</summary>
internal static class Engine
{
    public static Option<string> DeviceOption() => new("--device")
    {
        Description = "cpu, or cuda where a CUDA build of libtorch is referenced (this build ships the CPU one).",
        DefaultValueFactory = _ => "cpu",
    };

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
}
