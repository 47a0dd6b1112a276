using System.Globalization;
using System.Net;
using System.Text;
using Landmarks.Evaluation.Measures;
using Landmarks.Evaluation.Metrics;
using Landmarks.Imaging.IO;

namespace Landmarks.Evaluation.Reports;

/// <summary>A self-contained HTML report (pictures embedded as data URIs): summary tables, error
/// plots, model comparisons and a gallery of the worst cases.</summary>
public static class HtmlReport
{
    public static void Write(string path, string title, IReadOnlyList<NamedEvaluation> models, NamedEvaluation? observer,
        IReadOnlyList<Comparison> comparisons, IReadOnlyList<NamedAgreement> measureAgreement, IReadOnlyList<GalleryItem> gallery)
    {
        var all = observer is null ? models : [.. models, observer];
        var thresholds = models[0].Evaluation.ThresholdsMm;
        string F(double v, string format = "0.00") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
        string E(string s) => WebUtility.HtmlEncode(s);
        string Cells(ErrorSummary s) => $"<td>{s.Measured}/{s.Expected}</td><td>{F(s.MeanMm)} ± {F(s.StandardDeviationMm)}</td><td>{F(s.MedianMm)}</td>"
            + $"<td>{F(s.Percentile95Mm)}</td><td>{F(s.MaxMm)}</td>" + string.Join("", s.DetectionRates.Select(r => $"<td>{F(100 * r.Rate, "0.0")}%</td>"));
        string Img(byte[] png, string alt) => $"<img alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <style>
            body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
            th:first-child, td:first-child, td.name { text-align: left; }
            th { background: #f0f0f0; }
            .gallery { display: flex; flex-wrap: wrap; gap: 12px; }
            .gallery figure { margin: 0; font-size: 0.85em; max-width: 280px; }
            .key span { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin: 0 0.3em 0 1em; }
            </style></head><body>
            <h1>{{E(title)}}</h1>
            <p>Radial error: Euclidean distance in world millimetres between prediction and reference.
            MRE and its spread are over the landmarks that were found; success detection rates (SDR) count a
            landmark in the image that was called absent or not predicted as a failure.</p>
            <h2>Summary</h2>
            <table><tr><th>set</th><th>cases</th><th>landmarks</th><th>MRE ± SD (mm)</th><th>median</th><th>95th pct</th><th>max</th>
            {{string.Join("", thresholds.Select(t => $"<th>SDR {F(t, "0.##")} mm</th>"))}}<th>called absent</th><th>not predicted</th><th>falsely present</th></tr>
            """);
        foreach (var n in all)
        {
            var o = n.Evaluation.Overall;
            var p = n.Evaluation.Presence;
            html.Append($"<tr><td class=name>{E(n.Name)}</td><td>{n.Evaluation.CaseCount}</td>{Cells(o)}<td>{p.CalledAbsent}</td><td>{p.NotPredicted}</td><td>{p.FalselyPresent}</td></tr>\n");
            if (n.Evaluation.OverallWithAbsentCalls is { } a)
                html.Append($"<tr><td class=name>{E(n.Name)}, with the positions of landmarks called absent</td><td>{n.Evaluation.CaseCount}</td>{Cells(a)}<td></td><td></td><td></td></tr>\n");
        }
        html.Append("</table>\n");

        html.Append($"<h2>Per landmark</h2><table><tr><th>#</th><th>landmark</th>{string.Join("", all.Select(n => $"<th>{E(n.Name)}<br>MRE ± SD</th><th>SDR {F(thresholds[0], "0.##")} mm</th>"))}</tr>\n");
        var names = models[0].Evaluation.LandmarkNames;
        for (int i = 0; i < names.Count; i++)
        {
            html.Append($"<tr><td>{i + 1}</td><td class=name>{E(names[i])}</td>");
            foreach (var n in all)
            {
                var s = n.Evaluation.PerLandmark[names[i]];
                html.Append($"<td>{F(s.MeanMm)} ± {F(s.StandardDeviationMm)}</td><td>{F(100 * s.DetectionRates[0].Rate, "0.0")}%</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");

        if (comparisons.Count > 0)
        {
            html.Append("<h2>Comparisons</h2><p>Paired Wilcoxon signed-rank test on the radial errors of landmarks found by both.</p>"
                + "<table><tr><th>first</th><th>second</th><th>pairs</th><th>mean difference (mm)</th><th>p-value</th><th>significant at 0.05</th></tr>\n");
            foreach (var c in comparisons)
                html.Append($"<tr><td class=name>{E(c.First)}</td><td class=name>{E(c.Second)}</td><td>{c.Pairs}</td><td>{F(c.MeanDifferenceMm, "+0.000;-0.000")}</td>"
                    + $"<td>{F(c.Test.PValue, "0.####")}</td><td>{(c.Test.PValue < 0.05 ? "yes" : "no")}</td></tr>\n");
            html.Append("</table>\n");
        }

        if (measureAgreement.Count > 0)
        {
            var measures = measureAgreement[0].Measures;
            html.Append("<h2>Clinical measures</h2><p>Share of cases each set puts in the reference's class of each measure.</p><table><tr><th>set</th>"
                + string.Join("", measures.Select(m => $"<th>{E(m.Measure)}</th>")) + "<th>cases</th></tr>\n");
            foreach (var a in measureAgreement)
                html.Append($"<tr><td class=name>{E(a.Name)}</td>" + string.Join("", a.Measures.Select(m => $"<td>{F(100 * m.Accuracy, "0.0")}%</td>"))
                    + $"<td>{(a.Measures.Count > 0 ? a.Measures.Max(m => m.Cases) : 0)}</td></tr>\n");
            html.Append("</table>\n");
        }

        html.Append("<h2>Error distributions</h2>\n");
        foreach (var n in all) html.Append($"<p>{Img(Charts.ErrorBoxes(n), $"error box plots of {n.Name}")}</p>\n");
        html.Append($"<p>{Img(Charts.CumulativeErrors(all, thresholds), "cumulative distribution of errors")}</p>\n");

        if (gallery.Count > 0)
        {
            html.Append($"<h2>Worst cases of {E(models[0].Name)}</h2><p class=key><span style=\"background:#00dc00\"></span>reference"
                + "<span style=\"background:#ff3c3c\"></span>prediction<span style=\"background:#3ca0ff\"></span>second observer</p><div class=gallery>\n");
            foreach (var item in gallery) html.Append($"<figure>{Img(item.Png, item.Caption)}<figcaption>{E(item.Caption)}</figcaption></figure>\n");
            html.Append("</div>\n");
        }
        html.Append("</body></html>\n");
        AtomicFile.WriteAllText(path, html.ToString());
    }
}
