using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;

namespace Landmarks.Review.Tests;

public class ReviewSessionTests
{
    [Fact]
    public void Cases_come_most_doubtful_first()
    {
        using var scene = new ReviewScene(2);
        var session = scene.Open();
        // Both call one landmark absent; ceph-1's least sure present one is less sure (0.2 against 0.6).
        Assert.Equal(["ceph-1", "ceph-2"], session.Cases.Select(c => c.Id));
        session.Correct("ceph-2", "A", null);
        Assert.Equal(["ceph-2", "ceph-1"], session.Cases.Select(c => c.Id));
    }

    [Fact]
    public void A_correction_is_saved_at_once_with_the_original_and_the_input_is_untouched()
    {
        using var scene = new ReviewScene(2);
        string before = File.ReadAllText(scene.PredictionsPath);
        var session = scene.Open();
        session.Correct("ceph-1", "A", new WorldMm(51.5, 38.25, 0));
        session.Correct("ceph-1", "B", null);

        Assert.Equal(before, File.ReadAllText(scene.PredictionsPath));
        var lines = File.ReadAllLines(scene.OutputPath);
        Assert.Equal(ReviewSession.Header, lines[0]);
        Assert.Equal(1 + 6, lines.Length);
        Assert.Equal("ceph-1,A,51.5,38.25,,0.95,true,true,50,40,,true", lines[1]);
        Assert.Equal("ceph-1,B,80,70,,0.2,false,true,80,70,,true", lines[2]);
        Assert.Equal("ceph-1,C,,,,0.05,false,false,,,,false", lines[3]);
        // The output reads as a prediction CSV: evaluate and draw take it as they are.
        var rows = PredictionCsv.Read(scene.OutputPath);
        Assert.Equal(new WorldMm(51.5, 38.25, 0), rows[0].PositionMm);
        Assert.False(rows[1].Present);
    }

    [Fact]
    public void Reopening_resumes_the_corrections()
    {
        using var scene = new ReviewScene(3);
        var session = scene.Open();
        var placed = new WorldMm(1.25, 22.5, 18);
        session.Correct("skull-1", "C", placed);
        var original = session.Find("skull-1")!.Landmarks[0].PositionMm!.Value;
        session.Correct("skull-1", "A", original + new Vec3(0.5, 0, 0));

        var resumed = scene.Open().Find("skull-1")!;
        var c = resumed.Landmarks.Single(l => l.Name == "C");
        Assert.True(c.Present && c.Corrected && !c.OriginalPresent);
        Assert.Equal(placed, c.PositionMm);
        Assert.Null(c.OriginalMm);
        var a = resumed.Landmarks.Single(l => l.Name == "A");
        Assert.Equal(original.X + 0.5, a.PositionMm!.Value.X, 9);
        Assert.Equal(original, a.OriginalMm);
        Assert.False(resumed.Landmarks.Single(l => l.Name == "B").Corrected);
    }

    [Fact]
    public void Undo_takes_back_the_last_correction_of_the_case()
    {
        using var scene = new ReviewScene(2);
        var session = scene.Open();
        session.Correct("ceph-1", "A", new WorldMm(1, 2, 0));
        session.Correct("ceph-1", "A", new WorldMm(3, 4, 0));
        Assert.False(session.Undo("ceph-2"));
        Assert.True(session.Undo("ceph-1"));
        Assert.Equal(new WorldMm(1, 2, 0), session.Find("ceph-1")!.Landmarks[0].PositionMm);
        Assert.True(session.Undo("ceph-1"));
        Assert.False(session.Find("ceph-1")!.Landmarks[0].Corrected);
        Assert.Contains("ceph-1,A,50,40,,0.95,true,false,", File.ReadAllText(scene.OutputPath));
        Assert.False(session.Undo("ceph-1"));
    }

    [Fact]
    public void Bad_requests_are_refused()
    {
        using var scene = new ReviewScene(2);
        var session = scene.Open();
        Assert.Throws<KeyNotFoundException>(() => session.Correct("nobody", "A", null));
        Assert.Throws<KeyNotFoundException>(() => session.Correct("ceph-1", "Z", null));
        Assert.Throws<ArgumentException>(() => session.Correct("ceph-1", "A", new WorldMm(double.NaN, 0, 0)));
        Assert.Throws<InvalidFileException>(() => ReviewSession.Open(scene.Scans, scene.PredictionsPath, scene.PredictionsPath));
        File.WriteAllText(scene.OutputPath, "case,landmark,x,y,z,confidence,present\n");
        var e = Assert.Throws<InvalidFileException>(() => scene.Open());
        Assert.Contains("not a review output", e.Message);
        Assert.Throws<InvalidFileException>(() => ReviewSession.Open([new("other", scene.Scans[0].ImagePath, null)], scene.PredictionsPath, scene.Directory.File("o.csv")));
    }
}
