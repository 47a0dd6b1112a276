using Landmarks.Evaluation.Metrics;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Tests;

namespace Landmarks.Evaluation.Tests;

public class EvaluationTests
{
    private static readonly string[] Names = ["a", "b"];

    private static Dictionary<string, LandmarkSet> References() => new()
    {
        ["1"] = new LandmarkSet([new Landmark("a", new WorldMm(0, 0, 0)), new Landmark("b", new WorldMm(10, 10, 10))]),
        ["2"] = new LandmarkSet([new Landmark("a", new WorldMm(5, 5, 0)), Landmark.Absent("b")]),
    };

    private static LandmarkPrediction P(string c, string l, double x, double y, double z, bool present = true) =>
        new(c, l, new WorldMm(x, y, z), 0.9, present);

    [Fact]
    public void Prediction_equal_to_reference_gives_zero_error_and_full_detection()
    {
        var refs = References();
        var predictions = refs.SelectMany(kv => LandmarkEvaluation.AsPredictions(kv.Key, kv.Value));
        var e = LandmarkEvaluation.Compute(refs, predictions, Names);
        Assert.Equal(0, e.Overall.MeanMm);
        Assert.All(e.Overall.DetectionRates, r => Assert.Equal(1.0, r.Rate));
        Assert.Equal(new PresenceCounts(3, 0, 0, 0, 1), e.Presence);
    }

    [Fact]
    public void Hand_made_errors_give_known_statistics()
    {
        // Errors: case 1 a = 3 (3-4-5 triangle minus... a pure x shift of 3), b = 5 (a 3-4 shift); case 2 a = 2.
        var predictions = new[] { P("1", "a", 3, 0, 0), P("1", "b", 13, 14, 10), P("2", "a", 5, 7, 0), P("2", "b", 1, 1, 1) };
        var e = LandmarkEvaluation.Compute(References(), predictions, Names, [2, 2.5, 4]);
        Assert.Equal(3, e.Overall.Measured);
        Assert.Equal(10.0 / 3, e.Overall.MeanMm, 12);
        Assert.Equal(Math.Sqrt(((3 - 10.0 / 3) * (3 - 10.0 / 3) + (5 - 10.0 / 3) * (5 - 10.0 / 3) + (2 - 10.0 / 3) * (2 - 10.0 / 3)) / 2), e.Overall.StandardDeviationMm, 12);
        Assert.Equal(3, e.Overall.MedianMm, 12);
        Assert.Equal(5, e.Overall.MaxMm, 12);
        Assert.Equal(4.8, e.Overall.Percentile95Mm, 12);
        Assert.Equal([1 / 3.0, 1 / 3.0, 2 / 3.0], e.Overall.DetectionRates.Select(r => r.Rate));
        Assert.Equal(2.5, e.PerLandmark["a"].MeanMm, 12);
        Assert.Equal(1, e.Presence.FalselyPresent);
    }

    [Fact]
    public void Missing_and_absent_calls_count_as_detection_failures()
    {
        var predictions = new[] { P("1", "a", 0, 0, 0), P("1", "b", 0, 0, 0, present: false), P("2", "a", 5, 5, 0) };
        var e = LandmarkEvaluation.Compute(References(), predictions, Names);
        Assert.Equal(3, e.Overall.Expected);
        Assert.Equal(2, e.Overall.Measured);
        Assert.Equal(2 / 3.0, e.Overall.DetectionRates[0].Rate, 12);
        Assert.Equal(new PresenceCounts(2, 1, 0, 0, 1), e.Presence);
        // Scored with its position, the landmark called absent (at 0,0,0; its reference at 10,10,10) adds its error.
        var withAbsent = e.OverallWithAbsentCalls!;
        Assert.Equal(3, withAbsent.Measured);
        Assert.Equal(Math.Sqrt(300) / 3, withAbsent.MeanMm, 12);
        Assert.Equal(2 / 3.0, withAbsent.DetectionRates[0].Rate, 12);
        Assert.Null(LandmarkEvaluation.Compute(References(), [P("1", "a", 0, 0, 0), P("1", "b", 10, 10, 10)], Names).OverallWithAbsentCalls);

        var partial = LandmarkEvaluation.Compute(References(), [P("1", "a", 0, 0, 0)], Names);
        Assert.Equal(1, partial.Presence.NotPredicted);
        Assert.Equal(["2"], partial.CasesWithoutPredictions);
    }

    [Fact]
    public void Wilcoxon_exact_p_value_matches_enumeration()
    {
        double[] a = [1.8, 2.2, 3.1, 0.9, 2.5, 4.0, 1.1, 2.9, 3.6, 1.4];
        double[] b = [1.5, 2.6, 2.0, 0.7, 1.6, 3.3, 1.2, 1.7, 2.3, 1.25];
        var result = WilcoxonSignedRank.Test(a, b);
        Assert.True(result.Exact);
        // Enumerate all 2^10 sign assignments of the ranks 1..10.
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var ranks = d.Select(x => Math.Abs(x)).Select(x => d.Count(y => Math.Abs(y) < x) + 1.0).ToArray();
        double observed = ranks.Where((r, i) => d[i] > 0).Sum(), mean = 55 / 2.0;
        int asExtreme = 0;
        for (int mask = 0; mask < 1 << 10; mask++)
        {
            double w = Enumerable.Range(0, 10).Where(i => (mask >> i & 1) == 1).Sum(i => ranks[i]);
            if (Math.Abs(w - mean) >= Math.Abs(observed - mean)) asExtreme++;
        }
        Assert.Equal(observed, result.WPlus);
        Assert.Equal(asExtreme / 1024.0, result.PValue, 12);
    }

    [Fact]
    public void Wilcoxon_normal_approximation_is_close_to_the_exact_distribution_and_handles_ties()
    {
        var rng = new Random(7);
        var a = Enumerable.Range(0, 60).Select(_ => rng.NextDouble() * 3).ToArray();
        var b = a.Select(x => x + rng.NextDouble() - 0.4).ToArray();
        var result = WilcoxonSignedRank.Test(a, b);
        Assert.False(result.Exact);
        // Exact two-sided p for n = 60 from the distribution of rank sums, computed here independently.
        int n = result.N, max = n * (n + 1) / 2;
        var counts = new double[max + 1];
        counts[0] = 1;
        for (int r = 1; r <= n; r++) for (int s = max; s >= r; s--) counts[s] += counts[s - r];
        int low = (int)Math.Min(result.WPlus, max - result.WPlus);
        double exact = 2 * counts.Take(low + 1).Sum() / Math.Pow(2, n);
        Assert.InRange(result.PValue - exact, -0.003, 0.003);

        var tied = WilcoxonSignedRank.Test([1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5]);
        Assert.Equal(21, tied.WPlus);
        Assert.False(tied.Exact);
        Assert.Equal(1, WilcoxonSignedRank.Test([1, 2], [1, 2]).PValue);
    }

    [SkippableFact]
    public void Junior_against_senior_on_isbi_matches_an_independent_computation()
    {
        string root = SharedData.Require("isbi2015");
        var manifest = Assert.Single(Isbi2015.Import(root)).Manifest;
        // Independent: straight from the text files, pixels times 0.1 mm.
        var independent = new List<double>();
        var references = new Dictionary<string, LandmarkSet>();
        var predictions = new List<LandmarkPrediction>();
        foreach (var c in manifest.Cases)
        {
            double[][] Read(string p) => File.ReadLines(p).Where(l => l.Trim().Length > 0).Take(19)
                .Select(l => l.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
            var senior = Read(c.Landmarks);
            var junior = Read(c.SecondObserver!);
            for (int n = 0; n < 19; n++) independent.Add(0.1 * Math.Sqrt(Math.Pow(senior[n][0] - junior[n][0], 2) + Math.Pow(senior[n][1] - junior[n][1], 2)));
            var grid = ImageGeometry.Simple(new GridSize(1935, 2400, 1), new Vec3(0.1, 0.1, 1));
            references[c.Id] = manifest.ReadLandmarks(c.Landmarks, grid);
            predictions.AddRange(LandmarkEvaluation.AsPredictions(c.Id, manifest.ReadLandmarks(c.SecondObserver!, grid)));
        }
        var e = LandmarkEvaluation.Compute(references, predictions, manifest.LandmarkNames);
        Assert.Equal(2850, e.Overall.Measured);
        Assert.Equal(independent.Average(), e.Overall.MeanMm, 6);
        Assert.Equal(independent.Count(x => x <= 2) / 2850.0, e.Overall.DetectionRates[0].Rate, 12);
        Assert.InRange(e.Overall.MeanMm, 1.5, 2.5);
    }
}
