namespace Landmarks.Imaging.Images;

/// <summary>Summary of an image's voxel values; percentiles from a sorted sample of at most 1M voxels.</summary>
public sealed record IntensityStatistics(double Min, double Max, double Mean, double StandardDeviation, double Percentile0_5, double Median, double Percentile99_5)
{
    private const int PercentileSampleSize = 1 << 20;

    public static IntensityStatistics Of(ReadOnlySpan<float> voxels)
    {
        if (voxels.Length == 0) throw new ArgumentException("no voxels");
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, sumSquares = 0;
        foreach (float v in voxels)
        {
            if (v < min) min = v;
            if (v > max) max = v;
            sum += v;
            sumSquares += (double)v * v;
        }
        double mean = sum / voxels.Length;
        double variance = Math.Max(0, sumSquares / voxels.Length - mean * mean);
        var percentiles = Percentiles(voxels, 0.5, 50, 99.5);
        return new IntensityStatistics(min, max, mean, Math.Sqrt(variance), percentiles[0], percentiles[1], percentiles[2]);
    }

    /// <summary>Percentiles (0-100) of the voxel values, interpolated between order statistics; from a regular sample of at
    /// most 1M voxels, which keeps them deterministic and cheap on large volumes. The order statistics are selected, not
    /// sorted for (a sort of a million voxels took a third of a cephalogram's preparation).</summary>
    public static double[] Percentiles(ReadOnlySpan<float> voxels, params double[] percents)
    {
        if (voxels.Length == 0) throw new ArgumentException("no voxels");
        int stride = Math.Max(1, voxels.Length / PercentileSampleSize);
        var sample = new float[(voxels.Length + stride - 1) / stride];
        for (int s = 0; s < sample.Length; s++) sample[s] = voxels[s * stride];
        var ordered = new OrderStatistics(sample);
        return [.. percents.Select(p =>
        {
            double position = p / 100 * (sample.Length - 1);
            int lower = (int)Math.Floor(position);
            int upper = Math.Min(lower + 1, sample.Length - 1);
            double low = ordered.At(lower), high = ordered.At(upper);
            return low + (high - low) * (position - lower);
        })];
    }
}

/// <summary>
/// The k-th smallest of a set of values, as a sort would place them (NaN first, as <see cref="Array.Sort(Array)"/> puts
/// it), by Hoare's selection in linear expected time; runs of one value (an image's background) split evenly, so cost no
/// more than distinct values. Each selection leaves its value in place with no larger value before it and no smaller
/// after, so later ones search only between the ranks already placed. Reorders the array it is given.
/// </summary>
internal sealed class OrderStatistics
{
    private readonly float[] _values;
    private readonly int _nans;
    private readonly SortedSet<int> _placed = [];

    public OrderStatistics(float[] values)
    {
        _values = values;
        for (int n = 0; n < values.Length; n++)
            if (float.IsNaN(values[n]))
            {
                values[n] = values[_nans];
                values[_nans++] = float.NaN;
            }
    }

    public float At(int k)
    {
        if (k < _nans) return float.NaN;
        var a = _values;
        if (_placed.Contains(k)) return a[k];
        int low = _placed.GetViewBetween(int.MinValue, k).DefaultIfEmpty(_nans - 1).Max() + 1;
        int high = _placed.GetViewBetween(k, int.MaxValue).DefaultIfEmpty(a.Length).Min() - 1;
        while (low < high)
        {
            float pivot = MedianOfThree(a[low], a[low + (high - low) / 2], a[high]);
            int i = low, j = high;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            // Now a[low..j] <= pivot <= a[i..high], and anything between j and i equals the pivot.
            if (k <= j) high = j;
            else if (k >= i) low = i;
            else break;
        }
        _placed.Add(k);
        return a[k];
    }

    private static float MedianOfThree(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
