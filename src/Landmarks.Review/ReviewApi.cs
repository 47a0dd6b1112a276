using System.Text.Json.Serialization;
using Landmarks.Imaging.Geometry;

namespace Landmarks.Review;

// What the review's API sends and takes: world positions are [x, y, z] in mm (LPS), pixel positions are the view's
// pixel coordinates (pixel centres at integers). Serialized by generated code: nothing is reflected over at run time.

/// <summary>A case in the list.</summary>
internal sealed record CaseSummary(string Id, int Landmarks, int Absent, int Corrected, double? MinConfidence, double? MaxErrorMm);

/// <summary>A landmark of the case on screen; <see cref="Index"/> is its continuous grid index, so the page can show the
/// slices through it.</summary>
internal sealed record LandmarkState(string Name, double[]? Position, double? Confidence, bool Present, bool Corrected,
    double[]? Original, bool OriginalPresent, double[]? Reference, double[]? Index);

internal sealed record CaseState(string Id, int Dimension, int[] Size, double[] Spacing, bool Markups, IReadOnlyList<LandmarkState> Landmarks);

/// <summary>The anatomical directions (LPS letters) the sides of a view of a volume face.</summary>
internal sealed record ViewLetters(string Left, string Right, string Top, string Bottom);

/// <summary>Where a landmark falls on a view; <see cref="OnView"/> when it lies within the slice.</summary>
internal sealed record ViewMark(string Name, double X, double Y, bool OnView, double OffPlaneMm);

internal sealed record ViewPoint(string Name, double X, double Y);

/// <summary>A view: its picture's size, the world place of pixel (0, 0) and the world steps of one pixel right and down
/// and of one slice, its default window and its landmarks.</summary>
internal sealed record ViewState(int Width, int Height, double[] Origin, double[] Right, double[] Down, double[] Normal, int Slice, int Slices,
    string Name, ViewLetters? Letters, double Low, double High, IReadOnlyList<ViewMark> Landmarks, IReadOnlyList<ViewPoint>? References);

/// <summary>A correction: a new position (world mm; the landmark is then present), or <c>present: false</c>.</summary>
internal sealed record Correction(double[]? Position, bool? Present);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<CaseSummary>))]
[JsonSerializable(typeof(CaseState))]
[JsonSerializable(typeof(ViewState))]
[JsonSerializable(typeof(Correction))]
internal sealed partial class ReviewJson : JsonSerializerContext
{
    public static double[] Array(Vec3 v) => [v.X, v.Y, v.Z];
    public static double[] Array(WorldMm p) => [p.X, p.Y, p.Z];
}
