using System.Diagnostics;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

/// <summary>
/// A short AFL++ run of every reader (fuzz/run.sh, SharpFuzz-instrumented): no input the fuzzer makes from the seeds
/// and the malformed corpus may crash a reader or hang it. Longer campaigns are the same script with more seconds
/// (docs/BENCHMARKS.md); this one only proves, on every change, that the harness runs and finds nothing quickly.
/// </summary>
public class FuzzSmokeTests
{
    private const int SecondsPerTarget = 10;

    [SkippableFact]
    public void Every_reader_survives_a_short_fuzzing_run()
    {
        Skip.If(!File.Exists("/usr/bin/afl-fuzz"), "afl-fuzz is not installed (Debian: afl++)");
        using var dir = new TempDirectory();
        var info = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "fuzz", "run.sh"), SecondsPerTarget.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["WORK"] = dir.Path },
        };
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{error.Result}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (string target in new[] { "nifti", "nrrd", "metaimage", "dicom", "png", "csv", "markups", "fcsv", "isbi", "manifest", "config", "model-package" })
            Assert.Contains(lines, l => l.StartsWith(target + ": ") && l.EndsWith(" 0 crashes, 0 hangs"));
    }
}
