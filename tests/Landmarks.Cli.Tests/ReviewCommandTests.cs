using System.Diagnostics;
using System.Net;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Tests;
using static Landmarks.Cli.Tests.CliRunner;

namespace Landmarks.Cli.Tests;

public class ReviewCommandTests
{
    private static (string Image, string Predictions) Scene(TempDirectory dir)
    {
        var image = Image.Filled(ImageGeometry.Simple(new GridSize(64, 48, 1), new Vec3(0.5, 0.5, 1)), 100);
        ImageFile.Write(image, dir.File("ceph.png"));
        PredictionCsv.Write([new LandmarkPrediction("ceph", "A", new WorldMm(10, 12, 0), 0.9, true)], dir.File("pred.csv"), 2);
        return (dir.File("ceph.png"), dir.File("pred.csv"));
    }

    [Fact]
    public async Task Review_prints_its_address_serves_only_with_the_token_and_stops_cleanly_when_asked()
    {
        using var dir = new TempDirectory();
        var (image, predictions) = Scene(dir);
        using var process = StartProcess("review", image, "--pred", predictions, "--out", dir.File("out.csv"));
        try
        {
            string? address = null;
            var printed = new List<string>();
            var deadline = Stopwatch.StartNew();
            while (address is null && deadline.Elapsed < TimeSpan.FromSeconds(60) && await process.StandardOutput.ReadLineAsync() is string line)
            {
                printed.Add(line);
                if (line.StartsWith("open ")) address = line[5..].Trim();
            }
            if (address is null)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail(string.Join("\n", printed) + await process.StandardError.ReadToEndAsync());
            }
            var page = new Uri(address);
            Assert.Equal("127.0.0.1", page.Host);
            Assert.Contains("token=", page.Query);
            // The page sets the token as a cookie, so the browser's later requests carry it; a client without it is refused.
            using var browser = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(page)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri(page, "/api/cases"))).StatusCode);
            using var stranger = new HttpClient();
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync(new Uri(page, "/api/cases"))).StatusCode);

            // SIGTERM, as a service manager stops it, ends the server and the command cleanly (Ctrl+C takes the same path;
            // SIGINT itself cannot be tested here: a process started in the background by a shell inherits it ignored).
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "review did not stop on SIGTERM");
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("stopped; 0 landmarks corrected", await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Review_refuses_bad_options_before_starting()
    {
        using var dir = new TempDirectory();
        var (image, predictions) = Scene(dir);
        var port = Run("review", image, "--pred", predictions, "--out", dir.File("out.csv"), "--port", "70000");
        Assert.Equal(1, port.Code);
        Assert.Contains("--port 70000", port.Err);
        var same = Run("review", image, "--pred", predictions, "--out", predictions);
        Assert.Equal(1, same.Code);
        Assert.Contains("must not be its input predictions", same.Err);
        var other = Run("review", dir.File("missing.png"), "--pred", predictions, "--out", dir.File("out.csv"));
        Assert.Equal(1, other.Code);
        Assert.Contains("none of its cases is among the inputs", other.Err);
    }
}
