namespace Landmarks.Evaluation.Metrics;

/// <summary>
/// The Wilcoxon signed-rank test of paired samples, two-sided. Exact distribution of W+ for up to
/// 50 non-zero differences without ties; otherwise the normal approximation with tie and continuity
/// corrections. Zero differences are dropped (Wilcoxon's method).
/// </summary>
public static class WilcoxonSignedRank
{
    public sealed record Result(int N, double WPlus, double PValue, bool Exact);

    public static Result Test(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("paired samples must have the same length");
        var differences = a.Zip(b, (x, y) => x - y).Where(d => d != 0).ToArray();
        int n = differences.Length;
        if (n == 0) return new Result(0, 0, 1, true);

        var order = differences.Select((d, i) => (Abs: Math.Abs(d), Index: i)).OrderBy(t => t.Abs).ToArray();
        var ranks = new double[n];
        double tieCorrection = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && order[end + 1].Abs == order[start].Abs) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k].Index] = rank;
            int t = end - start + 1;
            tieCorrection += (double)t * t * t - t;
            start = end + 1;
        }
        double wPlus = 0;
        for (int i = 0; i < n; i++) if (differences[i] > 0) wPlus += ranks[i];

        if (n <= 50 && tieCorrection == 0) return new Result(n, wPlus, ExactPValue(n, (int)wPlus), true);

        double mean = n * (n + 1) / 4.0;
        double variance = n * (n + 1) * (2.0 * n + 1) / 24 - tieCorrection / 48;
        double z = (Math.Abs(wPlus - mean) - 0.5) / Math.Sqrt(variance);
        return new Result(n, wPlus, Math.Min(1, 2 * NormalUpperTail(Math.Max(z, 0))), false);
    }

    /// <summary>P(|W+ - mean| >= |w - mean|) under the null, from the count of sign patterns per sum.</summary>
    private static double ExactPValue(int n, int w)
    {
        int maxSum = n * (n + 1) / 2;
        var counts = new double[maxSum + 1];
        counts[0] = 1;
        for (int rank = 1; rank <= n; rank++)
            for (int s = maxSum; s >= rank; s--) counts[s] += counts[s - rank];
        int low = Math.Min(w, maxSum - w);
        double tail = 0;
        for (int s = 0; s <= low; s++) tail += counts[s];
        return Math.Min(1, 2 * tail / Math.Pow(2, n));
    }

    /// <summary>1 - Phi(z), the upper tail of the standard normal distribution.</summary>
    public static double NormalUpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>Complementary error function by a Chebyshev fit (relative error below 1.2e-7), ample for p-values.</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
