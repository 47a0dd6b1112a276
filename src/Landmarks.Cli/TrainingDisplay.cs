using System.Diagnostics;
using Landmarks.Learning.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Landmarks.Cli;

/// <summary>
/// Shows a training run as it goes: on a terminal, a Spectre progress bar per stage (iteration, loss
/// with its displacement and presence parts, speed, time left) with log lines printed above it; otherwise a plain line every 10 seconds,
/// which is what a log file or a cluster job's output wants.
/// </summary>
internal sealed class TrainingDisplay(CliConsole console)
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Runs <paramref name="train"/>, handing it the progress and log callbacks of this display.</summary>
    public T Run<T>(Func<Action<TrainingProgress>, Action<string>, T> train)
    {
        if (!console.IsInteractive)
        {
            TimeSpan? lastReport = null;
            return train(p =>
            {
                if (_clock.Elapsed - lastReport < PlainInterval && p.Iteration != p.Iterations) return;
                lastReport = _clock.Elapsed;
                Log($"{p.Stage} {p.Iteration}/{p.Iterations}  {Describe(p)}  ETA {p.Remaining:hh\\:mm\\:ss}");
            }, Log);
        }

        T result = default!;
        console.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 15 }, new LossColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = train(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task)) tasks[p.Stage] = task = context.AddTask(p.Stage);
                    task.MaxValue = p.Iterations;
                    task.Value = p.Iteration;
                    task.Description = $"{p.Stage} {p.Iteration}/{p.Iterations}";
                    task.State.Update<double>(nameof(p.Loss), _ => p.Loss);
                    task.State.Update<double>(nameof(p.RegressionLoss), _ => p.RegressionLoss);
                    task.State.Update<double>(nameof(p.ClassificationLoss), _ => p.ClassificationLoss);
                    task.State.Update<double>(nameof(p.IterationsPerSecond), _ => p.IterationsPerSecond);
                }, line => console.Ansi.WriteLine(Stamp(line)));
            });
        return result;
    }

    /// <summary>A line with the time since the display started.</summary>
    public void Log(string line) => console.Out.WriteLine(Stamp(line));

    private string Stamp(string line) => $"[{_clock.Elapsed:hh\\:mm\\:ss}] {line}";

    /// <summary>Loss (displacement, presence) and speed of a stage, short enough for an 80-column terminal beside its bar.</summary>
    private sealed class LossColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double Get(string key) => task.State.Get<double>(key);
            return new Text($"loss {Get(nameof(TrainingProgress.Loss)):0.000} ({Get(nameof(TrainingProgress.RegressionLoss)):0.000}, " +
                $"{Get(nameof(TrainingProgress.ClassificationLoss)):0.000}) {Get(nameof(TrainingProgress.IterationsPerSecond)):0.#} it/s");
        }
    }

    private static string Describe(TrainingProgress p) =>
        $"loss {p.Loss:0.0000} (displacement {p.RegressionLoss:0.0000}, presence {p.ClassificationLoss:0.00000})  {p.IterationsPerSecond:0.00} it/s";
}
