using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

public class LandmarkFileTests
{
    private static readonly LandmarkSet Set = new([
        new Landmark("sella", new WorldMm(-9.21016, -25.0792, 9.31477)),
        new Landmark("nasion, soft", new WorldMm(1.5, 2.25, -3.125)),
        Landmark.Absent("porion"),
        new Landmark("menton \"tip\"", new WorldMm(1e-7, -1234.5678, 0)),
    ]);

    [Theory]
    [InlineData("l.csv")]
    [InlineData("l.json")]
    [InlineData("l.mrk.json")]
    public void Round_trip_keeps_names_positions_and_absence(string name)
    {
        using var dir = new TempDirectory();
        LandmarkFile.Write(Set, dir.File(name));
        var read = LandmarkFile.Read(dir.File(name));
        Assert.Equal(Set.Names, read.Names);
        for (int n = 0; n < Set.Count; n++) Assert.Equal(Set.Landmarks[n].PositionMm, read.Landmarks[n].PositionMm);
    }

    [Fact]
    public void Fcsv_round_trip_keeps_present_landmarks_and_refuses_an_absent_one()
    {
        using var dir = new TempDirectory();
        var present = new LandmarkSet(Set.Landmarks.Where(l => l.IsPresent));
        LandmarkFile.Write(present, dir.File("l.fcsv"));
        Assert.Equal(present.Landmarks, LandmarkFile.Read(dir.File("l.fcsv")).Landmarks);
        LandmarkFile.Write(present, dir.File("r.fcsv"), ras: true);
        Assert.Equal(present.Landmarks, LandmarkFile.Read(dir.File("r.fcsv")).Landmarks);
        Assert.Contains(".mrk.json", Assert.Throws<InvalidFileException>(() => LandmarkFile.Write(Set, dir.File("a.fcsv"))).Reason);
    }

    [Fact]
    public void Ras_files_are_converted_to_lps()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.fcsv"), "# Markups fiducial file version = 4.6\n# CoordinateSystem = 0\n" +
            "# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\nvtk_1,1.5,-2,3,0,0,0,1,1,1,0,AC,,\n");
        Assert.Equal(new WorldMm(-1.5, 2, 3), LandmarkFile.Read(dir.File("r.fcsv")).Find("AC")!.PositionMm);

        File.WriteAllText(dir.File("r.mrk.json"), """
            {"markups": [{"type": "Fiducial", "coordinateSystem": "RAS", "controlPoints": [
              {"id": "1", "label": "tip", "position": [1.0, 2.0, 3.0], "positionStatus": "defined"},
              {"id": "2", "label": "gone", "position": [0.0, 0.0, 0.0], "positionStatus": "missing"}]}]}
            """);
        var markups = LandmarkFile.Read(dir.File("r.mrk.json"));
        Assert.Equal(new WorldMm(-1, -2, 3), markups.Find("tip")!.PositionMm);
        Assert.False(markups.Find("gone")!.IsPresent);
    }

    [Fact]
    public void Isbi_text_is_read_in_pixels_and_extra_lines_are_ignored()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("001.txt"), "835,996\n1473,1029\n\n2\n1.5\n");
        var grid = ImageGeometry.Simple(new GridSize(1935, 2400, 1), new Vec3(0.1, 0.1, 1));
        var set = LandmarkFile.Read(dir.File("001.txt"), grid, ["sella", "nasion"]);
        Assert.Equal(83.5, set.Landmarks[0].PositionMm!.Value.X, 10);
        Assert.Equal(102.9, set.Landmarks[1].PositionMm!.Value.Y, 10);
        LandmarkFile.Write(set, dir.File("back.txt"), grid);
        Assert.Equal("835,996\n1473,1029\n", File.ReadAllText(dir.File("back.txt")));
    }

    [Fact]
    public void Reordering_to_manifest_names_reports_missing_and_unexpected()
    {
        var e = Assert.Throws<ArgumentException>(() => Set.InOrder(["sella", "gonion"]));
        Assert.Contains("missing: gonion", e.Message);
        Assert.Contains("unexpected: nasion, soft", e.Message);
        Assert.Equal(["porion", "sella"], Set.InOrder(["porion", "sella", "nasion, soft", "menton \"tip\""]).Names.Take(2));
    }

    [SkippableFact]
    public void Real_afids_fcsv_files_have_32_fiducials_in_lps()
    {
        string path = SharedData.Require("afids-fcsv/tpl-MNI152NLin2009cAsym_res-01_desc-groundtruth_afids.fcsv");
        var set = LandmarkFile.Read(path);
        Assert.Equal(32, set.Count);
        // AC in the file: RAS (-0.2049, 2.7229, -4.8811).
        Assert.Equal(new WorldMm(0.204861407692308, -2.72288076923077, -4.88105282051282), set.Find("1")!.PositionMm);
    }
}
