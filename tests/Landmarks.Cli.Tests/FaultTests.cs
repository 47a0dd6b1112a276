using System.Diagnostics;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Tests;

namespace Landmarks.Cli.Tests;

/// <summary>Faults from outside, met by real processes.</summary>
public class FaultTests
{
    [Fact]
    public async Task A_write_beyond_the_file_size_limit_fails_clearly_and_leaves_the_previous_file()
    {
        using var dir = new TempDirectory();
        // Noise, so that no compression brings the output under the limit.
        var random = new Random(1);
        var image = new Image(ImageGeometry.Simple(new GridSize(256, 256, 4), Vec3.One), [.. Enumerable.Range(0, 256 * 256 * 4).Select(_ => random.NextSingle())]);
        ImageFile.Write(image, dir.File("in.nii"));
        File.WriteAllText(dir.File("out.nrrd"), "the previous file");

        var (code, error) = await RunUnderFileSizeLimit("convert", dir.File("in.nii"), dir.File("out.nrrd"));

        Assert.Equal(1, code);
        Assert.Contains($"{dir.File("out.nrrd")}: not written, the file system refused it", error);
        Assert.Equal("the previous file", File.ReadAllText(dir.File("out.nrrd")));
        Assert.Equal(["in.nii", "out.nrrd"], Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)).Order());
    }

    /// <summary>Training's writes under the same limit: the checkpoint (megabytes of weights) is refused by the file
    /// system, training stops with that line, and the model file of an earlier run is still there as it was.</summary>
    [Fact]
    public async Task A_training_whose_checkpoint_cannot_be_written_stops_clearly_and_leaves_the_previous_model()
    {
        using var dir = new TempDirectory();
        var (data, config) = TrainTests.TinySetup(dir, 20, 10, checkpointEvery: 10);
        File.WriteAllText(dir.File("m.lmk"), "the previous model");

        var (code, error) = await RunUnderFileSizeLimit("train", "--data", data, "--config", config, "--out", dir.File("m.lmk"));

        Assert.Equal(1, code);
        Assert.Contains($"{dir.File("m.lmk.checkpoint")}", error);
        Assert.Contains("not written, the file system refused it", error);
        Assert.Equal("the previous model", File.ReadAllText(dir.File("m.lmk")));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => Path.GetFileName(f).StartsWith("m.lmk") && f != dir.File("m.lmk"));
    }

    /// <summary>
    /// The tool in its own process under a 64 KB file-size limit, which stands in for a full disk: every writer (CSV,
    /// model, checkpoint, image) goes through the same atomic write. W^X is off because the runtime's double-mapped code
    /// memory is itself held to the limit.
    /// </summary>
    private static async Task<(int Code, string Error)> RunUnderFileSizeLimit(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("ulimit -f 64; exec dotnet \"$@\"");
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "landmarks.dll"));
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        return (process.ExitCode, await error);
    }
}
