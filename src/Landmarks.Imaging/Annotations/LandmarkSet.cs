using Landmarks.Imaging.Geometry;

namespace Landmarks.Imaging.Annotations;

/// <summary>A named landmark in world space, or marked absent (not in the image) when <see cref="PositionMm"/> is null.</summary>
public sealed record Landmark(string Name, WorldMm? PositionMm)
{
    public bool IsPresent => PositionMm is not null;
    public static Landmark Absent(string name) => new(name, null);
}

/// <summary>An ordered set of uniquely named landmarks of one image.</summary>
public sealed class LandmarkSet
{
    public LandmarkSet(IEnumerable<Landmark> landmarks)
    {
        Landmarks = landmarks.ToList();
        var duplicate = Landmarks.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"landmark name '{duplicate.Key}' appears {duplicate.Count()} times");
        foreach (var l in Landmarks)
            if (l.PositionMm is WorldMm p && !p.IsFinite) throw new ArgumentException($"landmark '{l.Name}' has a coordinate that is not a finite number: {p}");
    }

    public IReadOnlyList<Landmark> Landmarks { get; }
    public int Count => Landmarks.Count;
    public IEnumerable<string> Names => Landmarks.Select(l => l.Name);

    public Landmark? Find(string name) => Landmarks.FirstOrDefault(l => l.Name == name);

    /// <summary>The same landmarks in the order of <paramref name="names"/>; every name must be present in this set, and no other.</summary>
    public LandmarkSet InOrder(IReadOnlyList<string> names)
    {
        var missing = names.Where(n => Find(n) is null).ToList();
        var extra = Names.Except(names).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var parts = new List<string> { $"has {Count} landmarks where {names.Count} are expected" };
            if (missing.Count > 0) parts.Add($"missing: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")}");
            if (extra.Count > 0) parts.Add($"unexpected: {string.Join(", ", extra.Take(5))}{(extra.Count > 5 ? ", ..." : "")}");
            throw new ArgumentException(string.Join("; ", parts));
        }
        return new LandmarkSet(names.Select(n => Find(n)!));
    }
}
