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

        // A 64 KB file-size limit stands in for a full disk: every writer (CSV, model, checkpoint, image) goes through the
        // same atomic write. W^X is off because the runtime's double-mapped code memory is itself held to the limit.
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("ulimit -f 64; exec dotnet \"$0\" convert \"$1\" \"$2\"");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "landmarks.dll"));
        info.ArgumentList.Add(dir.File("in.nii"));
        info.ArgumentList.Add(dir.File("out.nrrd"));
        info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"{dir.File("out.nrrd")}: not written, the file system refused it", await error);
        Assert.Equal("the previous file", File.ReadAllText(dir.File("out.nrrd")));
        Assert.Equal(["in.nii", "out.nrrd"], Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)).Order());
    }
}
