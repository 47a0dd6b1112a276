using Landmarks.Evaluation.Metrics;
using ScottPlot;

namespace Landmarks.Evaluation.Reports;

/// <summary>Error plots for the report, rendered headless to PNG bytes with ScottPlot.</summary>
public static class Charts
{
    private const string FontName = "DejaVu Sans";
    private static readonly Lazy<bool> FontRegistered = new(() =>
    {
        if (Drawing.Fonts.SansPath is not string path) return false;
        ScottPlot.Fonts.AddFontFile(FontName, path, bold: false, italic: false);
        ScottPlot.Fonts.Default = FontName;
        return true;
    });

    private static readonly Color[] Palette = [Colors.Crimson, Colors.SteelBlue, Colors.DarkOrange, Colors.ForestGreen, Colors.Purple];

    private static Plot NewPlot()
    {
        _ = FontRegistered.Value;
        return new Plot();
    }

    /// <summary>One box per landmark (quartiles, whiskers at the 5th and 95th percentiles) for one evaluation.</summary>
    public static byte[] ErrorBoxes(NamedEvaluation evaluation, int width = 1100, int height = 420)
    {
        var plot = NewPlot();
        var names = evaluation.Evaluation.LandmarkNames;
        var boxes = new List<Box>();
        for (int n = 0; n < names.Count; n++)
        {
            var errors = evaluation.Evaluation.Rows.Where(r => r.Landmark == names[n] && r.ErrorMm is not null).Select(r => r.ErrorMm!.Value).Order().ToArray();
            if (errors.Length == 0) continue;
            boxes.Add(new Box
            {
                Position = n + 1,
                BoxMin = ErrorSummary.Percentile(errors, 25),
                BoxMiddle = ErrorSummary.Percentile(errors, 50),
                BoxMax = ErrorSummary.Percentile(errors, 75),
                WhiskerMin = ErrorSummary.Percentile(errors, 5),
                WhiskerMax = ErrorSummary.Percentile(errors, 95),
            });
        }
        plot.Add.Boxes(boxes);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int n = 0; n < names.Count; n++) ticks.AddMajor(n + 1, $"{n + 1}");
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.Label.Text = "landmark (numbered as in the table)";
        plot.Axes.Left.Label.Text = "radial error (mm)";
        plot.Title($"{evaluation.Name}: radial error per landmark (box: quartiles, whiskers: 5th-95th percentile)");
        plot.Axes.SetLimitsY(0, Math.Max(1, boxes.Select(b => b.WhiskerMax ?? 0).DefaultIfEmpty(1).Max() * 1.1));
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Cumulative share of landmarks within each error, one curve per evaluation, with the SDR thresholds.</summary>
    public static byte[] CumulativeErrors(IReadOnlyList<NamedEvaluation> evaluations, IReadOnlyList<double> thresholdsMm, int width = 1100, int height = 420)
    {
        var plot = NewPlot();
        double limit = Math.Max(thresholdsMm.DefaultIfEmpty(4).Max() * 2.5, 5);
        for (int n = 0; n < evaluations.Count; n++)
        {
            var e = evaluations[n].Evaluation;
            int expected = e.Overall.Expected;
            if (expected == 0) continue;
            var errors = e.Rows.Where(r => r.ErrorMm is not null).Select(r => r.ErrorMm!.Value).Order().ToArray();
            var xs = new List<double> { 0 };
            var ys = new List<double> { 0 };
            for (int k = 0; k < errors.Length && errors[k] <= limit; k++)
            {
                xs.Add(errors[k]);
                ys.Add(100.0 * (k + 1) / expected);
            }
            xs.Add(limit);
            ys.Add(ys[^1]);
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            line.Color = Palette[n % Palette.Length];
            line.LineWidth = 2;
            line.LegendText = evaluations[n].Name;
        }
        foreach (var t in thresholdsMm)
        {
            var marker = plot.Add.VerticalLine(t);
            marker.Color = Colors.Gray;
            marker.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.SetLimits(0, limit, 0, 100);
        plot.Axes.Bottom.Label.Text = "radial error (mm); dashed: detection thresholds";
        plot.Axes.Left.Label.Text = "landmarks within (%)";
        plot.Title("Cumulative distribution of radial errors");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
