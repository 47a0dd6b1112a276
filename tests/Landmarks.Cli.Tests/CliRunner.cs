namespace Landmarks.Cli.Tests;

/// <summary>Runs the CLI in-process, as a user would from a shell, capturing both streams.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = LandmarksCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
