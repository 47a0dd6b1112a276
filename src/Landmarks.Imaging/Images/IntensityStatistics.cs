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

        // A regular stride keeps the percentiles deterministic and cheap on large volumes.
        int stride = Math.Max(1, voxels.Length / PercentileSampleSize);
        var sample = new float[(voxels.Length + stride - 1) / stride];
        for (int s = 0; s < sample.Length; s++) sample[s] = voxels[s * stride];
        Array.Sort(sample);
        double Percentile(double p)
        {
            double position = p / 100 * (sample.Length - 1);
            int lower = (int)Math.Floor(position);
            int upper = Math.Min(lower + 1, sample.Length - 1);
            return sample[lower] + (sample[upper] - sample[lower]) * (position - lower);
        }
        return new IntensityStatistics(min, max, mean, Math.Sqrt(variance), Percentile(0.5), Percentile(50), Percentile(99.5));
    }
}
