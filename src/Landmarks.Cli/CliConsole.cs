using Landmarks.Imaging.IO;
using Spectre.Console;

namespace Landmarks.Cli;

/// <summary>Where commands write, and the one place that turns failures into a line and an exit code.</summary>
public sealed class CliConsole
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InternalError = 70;

    /// <param name="interactive">Whether the output is a terminal that can show live progress; by default,
    /// when it is the process's standard output and that is not redirected.</param>
    public CliConsole(TextWriter output, TextWriter error, bool? interactive = null)
    {
        Out = output;
        Error = error;
        IsInteractive = interactive ?? (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = IsInteractive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsInteractive ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    /// <summary>True when live progress bars can be drawn; false for logs and pipes.</summary>
    public bool IsInteractive { get; }
    /// <summary>Tables and progress; plain text when the output is not a terminal.</summary>
    public IAnsiConsole Ansi { get; }

    public void Warn(string message) => Error.WriteLine($"warning: {message}");

    /// <summary>Runs a command body: a bad file or a bad argument becomes one line on stderr and exit code 1.</summary>
    public int Guard(Func<int> body)
    {
        try
        {
            try
            {
                return body();
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // Work done in parallel (cases read at once) fails with its first failure, as sequential work would.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
                throw;
            }
        }
        catch (InvalidFileException e)
        {
            Error.WriteLine($"error: {e.Message}");
        }
        catch (CliUsageException e)
        {
            Error.WriteLine($"error: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error.WriteLine($"error: {e.Message}");
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LANDMARKS_DEBUG") is null)
        {
            Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message} (set LANDMARKS_DEBUG=1 for details)");
            return InternalError;
        }
        return Failure;
    }
}

/// <summary>An argument that parsed but makes no sense (a malformed spacing, say).</summary>
public sealed class CliUsageException(string message) : Exception(message);
