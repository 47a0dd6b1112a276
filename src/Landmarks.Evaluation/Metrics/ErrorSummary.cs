namespace Landmarks.Evaluation.Metrics;

/// <summary>Success detection rate: the share of landmarks whose radial error is within a threshold.</summary>
public sealed record DetectionRate(double ThresholdMm, double Rate);

/// <summary>
/// Radial error statistics of a group of landmarks (one landmark over all cases, or all of them).
/// MRE and the spread are over the landmarks that have an error; SDR counts a landmark that should
/// have been found but was not (missing, or called absent) as a failure.
/// </summary>
public sealed record ErrorSummary(
    int Expected,
    int Measured,
    double MeanMm,
    double StandardDeviationMm,
    double MedianMm,
    double Percentile95Mm,
    double MaxMm,
    IReadOnlyList<DetectionRate> DetectionRates)
{
    public static ErrorSummary Of(IReadOnlyList<double> errorsMm, int expected, IReadOnlyList<double> thresholdsMm)
    {
        if (expected < errorsMm.Count) throw new ArgumentException("more errors than expected landmarks");
        var sorted = errorsMm.Order().ToArray();
        double mean = sorted.Length == 0 ? double.NaN : sorted.Average();
        double sd = sorted.Length < 2 ? (sorted.Length == 1 ? 0 : double.NaN) : Math.Sqrt(sorted.Sum(e => (e - mean) * (e - mean)) / (sorted.Length - 1));
        var rates = thresholdsMm.Select(t => new DetectionRate(t, expected == 0 ? double.NaN : sorted.Count(e => e <= t) / (double)expected)).ToList();
        return new ErrorSummary(expected, sorted.Length, mean, sd, Percentile(sorted, 50), Percentile(sorted, 95),
            sorted.Length == 0 ? double.NaN : sorted[^1], rates);
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default).</summary>
    public static double Percentile(double[] sorted, double percent)
    {
        if (sorted.Length == 0) return double.NaN;
        double position = percent / 100 * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
