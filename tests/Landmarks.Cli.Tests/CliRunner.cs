using System.Diagnostics;

namespace Landmarks.Cli.Tests;

/// <summary>Runs the CLI as a user would from a shell, capturing both streams: in-process, or as a real process.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args) => RunIn(interactive: false, args);

    /// <summary>In-process, with the output taken for a terminal (live progress) or for a pipe.</summary>
    public static (int Code, string Out, string Err) RunIn(bool interactive, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = LandmarksCli.Run(args, output, error, interactive);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Starts the built command-line tool (landmarks.dll beside the tests) as its own process.</summary>
    public static Process StartProcess(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "landmarks.dll"));
        foreach (string arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the landmarks process");
    }

    public static (int Code, string Out, string Err) RunProcess(params string[] args)
    {
        using var process = StartProcess(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
