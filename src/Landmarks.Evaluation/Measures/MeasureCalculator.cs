using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Evaluation.Measures;

/// <summary>A measure's value on one set of landmarks and the class it falls into (null when no class contains it, or
/// when a landmark it needs is absent: then the value is NaN).</summary>
public sealed record MeasureValue(string Measure, double Value, string? Class);

/// <summary>
/// Computes measures on landmark sets of lateral 2D views. Positions are world mm in the picture's plane (x, y); the
/// frame's forward direction runs from its back landmark to its front one, and its downward direction is the
/// perpendicular on the side of its lower landmark, so the results do not depend on which way the picture faces.
/// </summary>
public static class MeasureCalculator
{
    public static IReadOnlyList<MeasureValue> Compute(MeasureDefinitions definitions, LandmarkSet landmarks)
    {
        Vec3? Point(string name) => landmarks.Find(name)?.PositionMm is WorldMm p ? new Vec3(p.X, p.Y, 0) : null;
        var back = Point(definitions.Frame.Back);
        var front = Point(definitions.Frame.Front);
        var below = Point(definitions.Frame.Below);
        Vec3? forward = null, down = null;
        if (back is Vec3 b && front is Vec3 f && below is Vec3 m && (f - b).Length > 0)
        {
            var ahead = (f - b).Normalized();
            var side = new Vec3(-ahead.Y, ahead.X, 0);
            (forward, down) = (ahead, (m - b).Dot(side) >= 0 ? side : -side);
        }
        var result = new List<MeasureValue>();
        foreach (var measure in definitions.Measures)
        {
            double value = measure.Offset;
            foreach (var term in measure.Terms)
            {
                var points = term.Points.Select(Point).ToList();
                double part = points.Any(p => p is null) ? double.NaN : Term(term.Kind, [.. points.Select(p => p!.Value)], forward, down);
                value += term.Sign * part;
            }
            string? @class = double.IsFinite(value) ? measure.Classes.FirstOrDefault(c => c.Contains(value))?.Name : null;
            result.Add(new MeasureValue(measure.Name, value, @class));
        }
        return result;
    }

    private static double Term(TermKind kind, Vec3[] p, Vec3? forward, Vec3? down)
    {
        switch (kind)
        {
            case TermKind.Angle:
                var u = p[0] - p[1];
                var v = p[2] - p[1];
                return Math.Acos(Math.Clamp(u.Dot(v) / (u.Length * v.Length), -1, 1)) * 180 / Math.PI;
            case TermKind.Inclination:
                if (forward is not Vec3 f || down is not Vec3 d) return double.NaN;
                var direction = p[1] - p[0];
                return Math.Atan2(direction.Dot(d), direction.Dot(f)) * 180 / Math.PI;
            case TermKind.Distance:
                return (p[1] - p[0]).Length;
            case TermKind.Forward:
                return forward is Vec3 ahead ? (p[1] - p[0]).Dot(ahead) : double.NaN;
            case TermKind.Ratio:
                return (p[1] - p[0]).Length / (p[3] - p[2]).Length;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}

/// <summary>How often a set of landmarks puts each case in the same class of a measure as the reference does: per
/// measure, the cases compared and the share that agree (the ISBI 2015 challenge's diagonal accuracy, the sum of the
/// confusion matrix's diagonal over its total).</summary>
public sealed record MeasureAgreement(string Measure, int Cases, int Agreeing)
{
    public double Accuracy => Cases == 0 ? double.NaN : Agreeing / (double)Cases;

    /// <summary>Per measure, over the cases both sides have; a case where either side cannot be classified (an absent
    /// landmark) counts as a disagreement when the reference can be.</summary>
    public static IReadOnlyList<MeasureAgreement> Compute(MeasureDefinitions definitions, IReadOnlyDictionary<string, LandmarkSet> references,
        IReadOnlyDictionary<string, LandmarkSet> others)
    {
        var cases = new int[definitions.Measures.Count];
        var agreeing = new int[definitions.Measures.Count];
        foreach (var (id, reference) in references)
        {
            if (!others.TryGetValue(id, out var other)) continue;
            var truth = MeasureCalculator.Compute(definitions, reference);
            var found = MeasureCalculator.Compute(definitions, other);
            for (int m = 0; m < truth.Count; m++)
            {
                if (truth[m].Class is null) continue;
                cases[m]++;
                if (truth[m].Class == found[m].Class) agreeing[m]++;
            }
        }
        return [.. definitions.Measures.Select((m, k) => new MeasureAgreement(m.Name, cases[k], agreeing[k]))];
    }
}
