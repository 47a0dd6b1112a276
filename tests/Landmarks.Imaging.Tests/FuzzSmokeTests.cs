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
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{error.Result}{Findings(dir.Path)}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (string target in new[] { "nifti", "nrrd", "metaimage", "dicom", "png", "csv", "markups", "fcsv", "isbi", "manifest", "config", "model-package" })
            Assert.Contains(lines, l => l.StartsWith(target + ": ") && l.EndsWith(" 0 crashes, 0 hangs"));
    }

    /// <summary>The inputs that crashed or hung a reader, kept beyond the run's temporary folder, and each small one in
    /// base64, so that a failure in CI can be reproduced from its log alone.</summary>
    private static string Findings(string work)
    {
        var findings = Directory.Exists(Path.Combine(work, "findings"))
            ? Directory.EnumerateFiles(Path.Combine(work, "findings"), "id*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) is "crashes" or "hangs").ToList()
            : [];
        if (findings.Count == 0) return "";
        string kept = Path.Combine(Path.GetTempPath(), $"landmarks-fuzz-findings-{Environment.ProcessId}");
        var text = new System.Text.StringBuilder($"\nfindings kept in {kept}:");
        foreach (var file in findings)
        {
            // findings/<target>/default/<crashes|hangs>/<id...>
            var parts = Path.GetRelativePath(Path.Combine(work, "findings"), file).Split(Path.DirectorySeparatorChar);
            string copy = Path.Combine(kept, $"{parts[0]}-{parts[^2]}-{parts[^1].Replace(':', '_').Replace(',', '_')}");
            Directory.CreateDirectory(kept);
            File.Copy(file, copy, overwrite: true);
            var bytes = File.ReadAllBytes(file);
            text.Append($"\n{Path.GetFileName(copy)} ({bytes.Length} bytes){(bytes.Length <= 4096 ? ": " + Convert.ToBase64String(bytes) : "")}");
        }
        return text.ToString();
    }
}
