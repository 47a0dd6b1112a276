using System.Diagnostics;

namespace Landmarks.Learning.Training;

/// <summary>
/// Fits each stage's iteration count to a time budget, from the speed the stage has shown so far (validation
/// pauses included), so that a change of speed (another load on the machine) still ends on time.
/// </summary>
internal sealed class TimeBudget(TimeSpan budget, Stopwatch runClock)
{
    /// <summary>Share of the budget by the end of the global stage: both stages gain about equally from their minutes on
    /// the ISBI cephalograms (docs/BENCHMARKS.md), and the local stage needs the global one finished first.</summary>
    public const double GlobalShare = 0.5;

    /// <summary>Share of the budget kept back for what follows the last iteration: the presence calibration and saving.</summary>
    public const double ClosingShare = 0.03;

    public TimeSpan Total => budget;

    /// <summary>The iteration count that ends the stage at <paramref name="stageEndShare"/> of the budget.</summary>
    /// <param name="iteration">Iterations done so far in the stage; <paramref name="start"/> of them before this process.</param>
    public int Fit(int iteration, int start, Stopwatch stageClock, double stageEndShare)
    {
        double stageSeconds = budget.TotalSeconds * stageEndShare - runClock.Elapsed.TotalSeconds + stageClock.Elapsed.TotalSeconds;
        double secondsPerIteration = stageClock.Elapsed.TotalSeconds / (iteration - start);
        return Math.Max(iteration + 1, start + (int)(stageSeconds / secondsPerIteration));
    }
}
