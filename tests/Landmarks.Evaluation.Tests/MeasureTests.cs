using Landmarks.Evaluation.Measures;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Evaluation.Tests;

public class MeasureTests
{
    /// <summary>A face looking right (+x) in picture coordinates (y down), with round numbers: porion-orbitale level.</summary>
    private static LandmarkSet Face(double lowerIncisorX = 61) => new(new (string Name, double X, double Y)[]
    {
        ("sella", 20, 20), ("nasion", 60, 20), ("orbitale", 55, 30), ("porion", 5, 30),
        ("subspinale", 60, 60), ("supramentale", 58, 80), ("pogonion", 60, 90), ("menton", 55, 100),
        ("gnathion", 58, 96), ("gonion", 15, 80), ("lower incisal incision", lowerIncisorX, 70), ("upper incisal incision", 64, 70),
        ("upper lip", 70, 65), ("lower lip", 70, 75), ("subnasale", 68, 55), ("soft tissue pogonion", 66, 92),
        ("posterior nasal spine", 25, 50), ("anterior nasal spine", 65, 50), ("articulare", 12, 50),
    }.Select(p => new Landmark(p.Name, new WorldMm(p.X, p.Y, 0))));

    private static double Value(IReadOnlyList<MeasureValue> values, string name) => values.Single(v => v.Measure == name).Value;

    [Fact]
    public void The_isbi_measures_have_their_geometric_values()
    {
        var values = MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, Face());
        double sna = Math.Atan2(40, 0) * 180 / Math.PI;  // N(60,20): S lies straight back, A straight down: 90 degrees
        double snb = 90 - Math.Atan2(2, 60) * 180 / Math.PI;  // B two mm behind N's vertical, towards S
        Assert.Equal(sna, Value(values, "SNA"), 9);
        Assert.Equal(snb, Value(values, "SNB"), 9);
        Assert.Equal(sna - snb, Value(values, "ANB"), 9);
        // Gonion (15,80) to menton (55,100): 26.565 degrees down from the level Frankfort horizontal.
        Assert.Equal(Math.Atan2(20, 40) * 180 / Math.PI, Value(values, "FMA"), 9);
        Assert.Equal(Math.Sqrt(5 * 5 + 60 * 60) / Math.Sqrt(5 * 5 + 80 * 80), Value(values, "FHI"), 9);
        Assert.Equal(3, Value(values, "MW"), 9);  // upper incisor 3 mm ahead along the Frankfort horizontal
        double ab = 90 + Math.Atan2(2, 20) * 180 / Math.PI;  // A-B descends and leans back by atan(2/20)
        Assert.Equal(ab - Math.Atan2(20, 40) * 180 / Math.PI, Value(values, "ODI"), 9);  // the palatal plane is level
        Assert.Equal(180 - ab, Value(values, "APDI"), 9);
        Assert.Equal("C1 normal", values.Single(v => v.Measure == "MW").Class);
        Assert.Equal("C3 anterior cross bite", MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, Face(lowerIncisorX: 66)).Single(v => v.Measure == "MW").Class);
    }

    [Theory]
    [InlineData(54, 1)]   // anterior nasal spine 4 mm lower than the posterior one: tilted down in front, deep-bite side
    [InlineData(46, -1)]  // tilted up in front: the open-bite and lower-APDI side
    public void The_palatal_plane_angle_adds_when_tilted_down_in_front_and_subtracts_when_tilted_up(double ansY, int sign)
    {
        var level = MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, Face());
        var tilted = MeasureCalculator.Compute(MeasureDefinitions.Isbi2015,
            new LandmarkSet(Face().Landmarks.Select(l => l.Name == "anterior nasal spine" ? l with { PositionMm = new WorldMm(65, ansY, 0) } : l)));
        double angle = Math.Atan2(4, 40) * 180 / Math.PI;  // PNS (25,50) to ANS (65, 50 +- 4)
        Assert.Equal(Value(level, "ODI") + sign * angle, Value(tilted, "ODI"), 9);
        Assert.Equal(Value(level, "APDI") + sign * angle, Value(tilted, "APDI"), 9);
    }

    [Fact]
    public void Measures_do_not_depend_on_which_way_the_picture_faces_or_where_it_lies()
    {
        var mirrored = new LandmarkSet(Face().Landmarks.Select(l => l with { PositionMm = new WorldMm(200 - l.PositionMm!.Value.X, l.PositionMm.Value.Y + 30, 0) }));
        var a = MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, Face());
        var b = MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, mirrored);
        for (int m = 0; m < a.Count; m++) Assert.Equal(a[m].Value, b[m].Value, 9);
    }

    [Fact]
    public void A_missing_landmark_leaves_its_measures_unclassified_and_agreement_counts_it()
    {
        var face = Face();
        var without = new LandmarkSet(face.Landmarks.Select(l => l.Name == "gonion" ? Landmark.Absent("gonion") : l));
        var values = MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, without);
        Assert.True(double.IsNaN(Value(values, "FMA")));
        Assert.Null(values.Single(v => v.Measure == "FMA").Class);
        Assert.Equal(Value(MeasureCalculator.Compute(MeasureDefinitions.Isbi2015, face), "SNA"), Value(values, "SNA"));
        var agreement = MeasureAgreement.Compute(MeasureDefinitions.Isbi2015,
            new Dictionary<string, LandmarkSet> { ["1"] = face, ["2"] = face }, new Dictionary<string, LandmarkSet> { ["1"] = face, ["2"] = without });
        Assert.Equal(1.0, agreement.Single(a => a.Measure == "SNA").Accuracy);
        Assert.Equal(0.5, agreement.Single(a => a.Measure == "FMA").Accuracy);
    }

    [Fact]
    public void Definitions_files_are_checked()
    {
        Assert.Contains("needs 3 points", Assert.Throws<InvalidFileException>(() => MeasureDefinitions.Parse(
            """{"name": "x", "frame": {"back": "a", "front": "b", "below": "c"}, "measures": [{"name": "m", "unit": "deg", "terms": [{"kind": "angle", "points": ["a", "b"]}], "classes": []}]}""", "d.json")).Reason);
        Assert.Contains("not a valid", Assert.Throws<InvalidFileException>(() => MeasureDefinitions.Parse("""{"name": "x", "frame": 3}""", "d.json")).Reason);
        Assert.Equal(8, MeasureDefinitions.Isbi2015.Measures.Count);
    }
}
