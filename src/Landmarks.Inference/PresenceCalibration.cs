using Landmarks.Imaging.Geometry;
using Landmarks.Inference.Stages;

namespace Landmarks.Inference;

/// <summary>A case to calibrate on: its global stage image and its reference landmarks (null where absent).</summary>
public sealed record CalibrationCase(StageImage Global, WorldMm?[] LandmarksMm);

/// <summary>How the presence threshold was chosen: the counts it was chosen on and the mistakes it makes on them.</summary>
public sealed record PresenceCalibrationResult(double Threshold, int Present, int Absent, int FalselyAbsent, int FalselyPresent);

/// <summary>
/// Chooses the presence threshold on validation cases, whole and cut: each case's global image is also cut
/// in half along every axis, each half kept in turn, as a scan with a smaller field of view would be. Landmarks
/// in view should be called present, those cut off (or absent from the reference) absent; the threshold is the
/// one with the lowest balanced error (share of present ones called absent plus share of absent ones called
/// present). Landmarks within one patch of a cut are left out: which side of it they count on is ambiguous.
/// </summary>
public static class PresenceCalibration
{
    public static PresenceCalibrationResult? Calibrate(Localizer localizer, IReadOnlyList<CalibrationCase> cases)
    {
        int patch = localizer.Model.Config.Global.Shape.OutputStride;
        var present = new List<double>();
        var absent = new List<double>();
        foreach (var c in cases)
            foreach (var (start, size) in Views(c.Global.Size))
            {
                var view = c.Global.Part(start, size);
                var presence = localizer.GlobalStage(view).Presence;
                for (int l = 0; l < presence.Length; l++)
                {
                    bool? inView = c.LandmarksMm[l] is WorldMm truth ? InView(view.ToVoxel(truth), start, size, c.Global.Size, patch) : false;
                    if (inView == true) present.Add(presence[l]);
                    else if (inView == false) absent.Add(presence[l]);
                }
            }
        if (present.Count == 0 || absent.Count == 0) return null;
        double threshold = ChooseThreshold(present, absent);
        return new PresenceCalibrationResult(threshold, present.Count, absent.Count,
            present.Count(p => p < threshold), absent.Count(p => p >= threshold));
    }

    /// <summary>The whole grid, then each half along each axis: (start, size) in voxels, (x, y[, z]).</summary>
    public static IEnumerable<(int[] Start, int[] Size)> Views(int[] size)
    {
        yield return (new int[size.Length], size);
        for (int axis = 0; axis < size.Length; axis++)
        {
            int lower = size[axis] / 2;
            yield return (new int[size.Length], [.. size.Select((n, a) => a == axis ? lower : n)]);
            yield return ([.. size.Select((_, a) => a == axis ? lower : 0)], [.. size.Select((n, a) => a == axis ? n - lower : n)]);
        }
    }

    /// <summary>Whether a landmark at <paramref name="voxelInView"/> (the view's grid) is in the view; null when it
    /// lies within <paramref name="patch"/> voxels of a side where the view cuts the whole image.</summary>
    public static bool? InView(StageVoxel voxelInView, int[] start, int[] size, int[] wholeSize, int patch)
    {
        bool inside = true;
        for (int axis = 0; axis < size.Length; axis++)
        {
            double v = voxelInView[axis];
            bool cutBelow = start[axis] > 0, cutAbove = start[axis] + size[axis] < wholeSize[axis];
            // The sides of a voxel grid lie half a voxel beyond its first and last centres.
            double fromLow = v + 0.5, fromHigh = size[axis] - 0.5 - v;
            if ((cutBelow && Math.Abs(fromLow) < patch) || (cutAbove && Math.Abs(fromHigh) < patch)) return null;
            inside &= fromLow >= 0 && fromHigh >= 0;
        }
        return inside;
    }

    /// <summary>The threshold (called present at or above it) with the lowest balanced error; of equally good ones,
    /// the middle one, halfway between two observed confidences.</summary>
    public static double ChooseThreshold(IReadOnlyList<double> present, IReadOnlyList<double> absent)
    {
        var p = present.Order().ToArray();
        var a = absent.Order().ToArray();
        var values = p.Concat(a).Distinct().Order().ToArray();
        // Candidates: below every value, between each two neighbours, above every value.
        var candidates = new List<double> { values[0] / 2 };
        for (int n = 1; n < values.Length; n++) candidates.Add((values[n - 1] + values[n]) / 2);
        candidates.Add(Math.BitIncrement(values[^1]));
        double Error(double t) => CountBelow(p, t) / (double)p.Length + (a.Length - CountBelow(a, t)) / (double)a.Length;
        var errors = candidates.Select(Error).ToArray();
        double best = errors.Min();
        var bestCandidates = candidates.Where((_, n) => errors[n] <= best + 1e-12).ToArray();
        return bestCandidates[bestCandidates.Length / 2];
    }

    private static int CountBelow(double[] sorted, double threshold)
    {
        int index = Array.BinarySearch(sorted, threshold);
        if (index < 0) return ~index;
        while (index > 0 && sorted[index - 1] == threshold) index--;
        return index;
    }
}
