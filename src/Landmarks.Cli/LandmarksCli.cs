using System.CommandLine;
using Landmarks.Cli.Commands;

namespace Landmarks.Cli;

/// <summary>The command tree. Each command lives in its own file under Commands/.</summary>
public static class LandmarksCli
{
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal (live progress bars); detected by default.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool? interactive = null)
    {
        var console = new CliConsole(output, error, interactive);
        var root = new RootCommand("landmarks: find anatomical landmarks in 2D and 3D medical images (X-ray, CT, MR), in world millimetres.")
        {
            InfoCommand.Create(console),
            ConvertCommand.Create(console),
            ImportCommand.Create(console),
            DatasetCommand.Create(console),
            DrawCommand.Create(console),
            TrainCommand.Create(console),
            PredictCommand.Create(console),
            MergeCommand.Create(console),
            ReviewCommand.Create(console),
            ExportCommand.Create(console),
            EvaluateCommand.Create(console),
            MeasureCommand.Create(console),
            DemoCommand.Create(console),
        };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
