using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Inference.Model;
using Landmarks.Learning.Training;
using Landmarks.Tests;
using static Landmarks.Cli.Tests.CliRunner;

namespace Landmarks.Cli.Tests;

/// <summary>A user's ordinary mistakes end in exit 1 and one line naming the file, row or field and the reason, or in a
/// correct result: never a silently wrong number, never an "unexpected" exit 70.</summary>
public class UserMistakeTests
{
    /// <summary>Two 3D cases (NIfTI, Slicer markups) with landmarks "a" and "b", and their manifest.</summary>
    private static string Volumes(TempDirectory dir)
    {
        Directory.CreateDirectory(dir.File("img"));
        Directory.CreateDirectory(dir.File("lm"));
        var g = new ImageGeometry(3, new GridSize(20, 20, 20), Vec3.One, new WorldMm(0, 0, 0), Matrix3.Identity);
        foreach (var id in new[] { "c1", "c2" })
        {
            ImageFile.Write(Image.Filled(g, 5), dir.File($"img/{id}.nii.gz"));
            LandmarkFile.Write(new LandmarkSet([new Landmark("a", new WorldMm(5, 5, 5)), new Landmark("b", new WorldMm(10, 12, 14))]), dir.File($"lm/{id}.mrk.json"));
        }
        Assert.Equal(0, Run("dataset", "create", "--images", dir.File("img"), "--landmarks", dir.File("lm"), "--out", dir.File("set.json")).Code);
        return dir.File("set.json");
    }

    private static string Csv(TempDirectory dir, string name, params string[] rows)
    {
        File.WriteAllLines(dir.File(name), ["case,landmark,x,y,z,confidence,present", .. rows]);
        return dir.File(name);
    }

    private static void AssertRefused((int Code, string Out, string Err) result, params string[] words)
    {
        Assert.Equal(1, result.Code);
        var line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        foreach (var word in words) Assert.Contains(word, line);
    }

    [Fact]
    public void Evaluate_refuses_a_3D_prediction_without_z_and_a_2D_one_with_z()
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        string noZ = Csv(dir, "noz.csv", "c1,a,5,5,,0.9,true", "c1,b,10,12,,0.9,true");
        AssertRefused(Run("evaluate", "--pred", noZ, "--data", set), noZ, "line 2", "z is empty", "3D");

        string root = Fixtures.MakeMiniIsbi(dir, 1);
        Run("import", "isbi2015", root, "--out", dir.File("isbi.json"));
        string withZ = Csv(dir, "withz.csv", "001,sella,0.1,0,0.5,1,true");
        AssertRefused(Run("evaluate", "--pred", withZ, "--data", dir.File("isbi.json")), withZ, "line 2", "z is given", "2D");
    }

    [Fact]
    public void Evaluate_refuses_unknown_landmark_names_and_pixel_coordinates()
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        string strange = Csv(dir, "names.csv", "c1,a,5,5,5,0.9,true", "c1,B,10,12,14,0.9,true");
        AssertRefused(Run("evaluate", "--pred", strange, "--data", set), strange, "not in the dataset: B", "(the dataset's: a, b)");
        // Voxel indices of a 0.01 mm grid given as mm: far outside the 20 mm image.
        string pixels = Csv(dir, "pixels.csv", "c1,a,500,500,500,0.9,true", "c1,b,1000,1200,1400,0.9,true");
        AssertRefused(Run("evaluate", "--pred", pixels, "--data", set), pixels, "case c1, landmark a", "outside its image", "pixel indices");
    }

    [Fact]
    public void Evaluate_prints_cases_and_the_mean_signed_error_per_axis()
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        string shifted = Csv(dir, "shift.csv", "c1,a,5,6,5,0.9,true", "c1,b,10,13,14,0.9,true", "c2,a,5,6,5,0.9,true", "c2,b,10,13,14,0.9,true");
        var (code, output, _) = Run("evaluate", "--pred", shifted, "--data", set);
        Assert.Equal(0, code);
        Assert.Contains("MRE 1.000 ± 0.000 mm", output);
        Assert.Contains("mean signed error (prediction minus reference) x +0.000, y +1.000, z +0.000 mm", output);
        Assert.Contains("c2", output);
        Assert.Contains("1.00 / 1.00   2 of 2", output);
    }

    [Fact]
    public void Evaluate_names_a_missing_landmark_file_instead_of_failing_unexpectedly()
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        File.Delete(dir.File("lm/c2.mrk.json"));
        string csv = Csv(dir, "p.csv", "c1,a,5,5,5,0.9,true", "c2,a,5,5,5,0.9,true");
        AssertRefused(Run("evaluate", "--pred", csv, "--data", set), "c2.mrk.json", "file not found");
        File.WriteAllText(dir.File("lm/c2.mrk.json"), """{"markups": [{"coordinateSystem": "LPS", "controlPoints": [{"label": "a", "position": [1, 2, 3]}]}]}""");
        AssertRefused(Run("evaluate", "--pred", csv, "--data", set), "c2.mrk.json", "missing: b");
    }

    [Theory]
    [InlineData("{ \"dimension\": 2,", "not a valid configuration")]
    [InlineData("", "not a valid configuration")]
    [InlineData("{\"dimension\": \"two\"}", "not a valid configuration")]
    public void A_broken_configuration_file_is_named(string text, string reason)
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        File.WriteAllText(dir.File("config.json"), text);
        AssertRefused(Run("train", "--data", set, "--config", dir.File("config.json"), "--out", dir.File("m.lmk")), dir.File("config.json"), reason);
    }

    [Fact]
    public void Configuration_values_are_checked_before_any_work()
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        var config = TrainingRun.DeriveConfig(DatasetManifest.Load(set));
        void Refused(LocalizerConfig bad, string field, string? data = null)
        {
            File.WriteAllText(dir.File("bad.json"), bad.ToJson());
            AssertRefused(Run("train", "--data", data ?? set, "--config", dir.File("bad.json"), "--out", dir.File("m.lmk")), field);
            Assert.False(File.Exists(dir.File("m.lmk.checkpoint")));
        }
        Refused(config with { Global = config.Global with { Iterations = -5 } }, "global.iterations must be at least 1");
        Refused(config with { Global = config.Global with { SpacingMm = 0 } }, "global.spacingMm must be a positive number");
        Refused(config with { Local = config.Local with { CropSize = 7 } }, "local.cropSize");
        File.WriteAllText(dir.File("typo.json"), config.ToJson().Replace("\"validateEvery\"", "\"validateEvry\""));
        AssertRefused(Run("train", "--data", set, "--config", dir.File("typo.json"), "--out", dir.File("m.lmk")), "typo.json", "validateEvry");

        string root = Fixtures.MakeMiniIsbi(dir, 2);
        Run("import", "isbi2015", root, "--out", dir.File("isbi.json"));
        File.WriteAllText(dir.File("three.json"), config.ToJson());  // a 3D configuration for 2D images
        AssertRefused(Run("train", "--data", dir.File("isbi.json"), "--config", dir.File("three.json"), "--out", dir.File("m.lmk")), "3D", "2D");
        AssertRefused(Run("train", "--data", set, "--out", dir.File("m.lmk"), "--time-budget", "-3"), "--time-budget -3");
        AssertRefused(Run("train", "--data", set, "--out", dir.File("m.lmk"), "--resume"), "--resume", "no checkpoint");
    }

    [Fact]
    public void Draw_checks_its_size_and_writes_only_png()
    {
        using var dir = new TempDirectory();
        string set = Volumes(dir);
        AssertRefused(Run("draw", "--data", set, "--case", "c1", "--out", dir.File("a.png"), "--size", "100000"), "--size 100000");
        AssertRefused(Run("draw", "--data", set, "--case", "c1", "--out", dir.File("a.png"), "--size", "0"), "--size 0");
        AssertRefused(Run("draw", "--data", set, "--case", "c1", "--out", dir.File("a.jpg")), "a.jpg", ".png");
        Assert.False(File.Exists(dir.File("a.jpg")));
        AssertRefused(Run("draw", "--data", set, "--case", "c1", "--out", dir.File("a.png"), "--landmark", "zz"), "--landmark 'zz'", "a, b");
        var drawn = Run("draw", "--data", set, "--case", "c1", "--out", dir.File("a.png"), "--landmark", "b", "--size", "100");
        Assert.Equal(0, drawn.Code);
        // Three projections and the three slices through b.
        Assert.Equal(200, ImageFile.Read(dir.File("a.png")).Size.Y);
    }

    [Fact]
    public void Dataset_create_refuses_names_that_drop_points_and_a_spacing_nothing_uses()
    {
        using var dir = new TempDirectory();
        string root = Fixtures.MakeMiniIsbi(dir, 2);
        var tooFew = Run("dataset", "create", "--images", Path.Combine(root, "RawImage", "TrainingData"), "--landmarks", Path.Combine(root, "AnnotationsByMD", "400_junior"),
            "--names", "a,b,c", "--spacing", "0.1", "--out", dir.File("few.json"));
        AssertRefused(tooFew, "001.txt", "19 points", "3 landmark names");
        Volumes(dir);
        AssertRefused(Run("dataset", "create", "--images", dir.File("img"), "--landmarks", dir.File("lm"), "--spacing", "0.5", "--out", dir.File("s.json")),
            "--spacing", "carry their own");
        AssertRefused(Run("dataset", "create", "--images", dir.File("img"), "--landmarks", dir.File("lm"), "--names", "a,x", "--out", dir.File("n.json")),
            "c1.mrk.json", "missing: x", "unexpected: b");
    }

    [Fact]
    public void Moved_copies_mark_landmarks_that_leave_the_volume_absent()
    {
        var g = new ImageGeometry(3, new GridSize(20, 20, 20), Vec3.One, new WorldMm(0, 0, 0), Matrix3.Identity);
        var landmarks = new LandmarkSet([new Landmark("centre", new WorldMm(10, 10, 10)), new Landmark("edge", new WorldMm(1, 10, 10))]);
        var (_, moved) = RigidCopies.Move(Image.Filled(g), landmarks, Matrix3.Identity, new Vec3(-5, 0, 0));
        Assert.Equal(new WorldMm(5, 10, 10), moved.Find("centre")!.PositionMm);
        Assert.Null(moved.Find("edge")!.PositionMm);
    }

    [Fact]
    public void Convert_to_png_keeps_the_spacing_and_says_what_it_drops()
    {
        using var dir = new TempDirectory();
        var g = new ImageGeometry(2, new GridSize(30, 20, 1), new Vec3(0.125, 0.25, 1), new WorldMm(4, 5, 0), Matrix3.Identity);
        var image = Image.Filled(g, 7);
        ImageFile.Write(image, dir.File("a.nrrd"));
        var (code, _, error) = Run("convert", dir.File("a.nrrd"), dir.File("a.png"));
        Assert.Equal(0, code);
        Assert.Contains("no origin", error);
        var back = ImageFile.Read(dir.File("a.png"), new ImageReadOptions(Warn: w => Assert.Fail($"unexpected warning: {w}")));
        Assert.Equal(new Vec3(0.125, 0.25, 1), back.Geometry.SpacingMm);
        Assert.Equal(new Vec3(0.5, 0.5, 1), ImageFile.Read(dir.File("a.png"), new ImageReadOptions(new Vec3(0.5, 0.5, 1))).Geometry.SpacingMm);
    }

    [Fact]
    public void Landmark_files_have_info_and_convert_between_formats_keeping_names_absences_and_places()
    {
        using var dir = new TempDirectory();
        var set = new LandmarkSet([new Landmark("nasion", new WorldMm(1.5, -2.25, 30)), Landmark.Absent("menton"), new Landmark("sella", new WorldMm(-4, 8, 0.125))]);
        LandmarkFile.Write(set, dir.File("a.mrk.json"));
        var info = Run("info", dir.File("a.mrk.json"));
        Assert.Equal(0, info.Code);
        Assert.Contains("3: 2 present, 1 absent", info.Out);
        Assert.Contains("nasion: 1.5, -2.25, 30", info.Out);
        Assert.Contains("menton: absent", info.Out);

        foreach (var (target, ras) in new[] { ("b.json", true), ("c.csv", false), ("d.mrk.json", true), ("e.json", false) })
        {
            var result = ras ? Run("convert", dir.File("a.mrk.json"), dir.File(target), "--ras") : Run("convert", dir.File("a.mrk.json"), dir.File(target));
            Assert.True(result.Code == 0, result.Err);
            var back = LandmarkFile.Read(dir.File(target));
            Assert.Equal(set.Names, back.Names);
            Assert.Null(back.Find("menton")!.PositionMm);
            Assert.True(back.Find("nasion")!.PositionMm!.Value.DistanceTo(new WorldMm(1.5, -2.25, 30)) < 1e-9);
        }
        Assert.Contains("\"RAS\"", File.ReadAllText(dir.File("d.mrk.json")));
        Assert.Contains("-1.5", File.ReadAllText(dir.File("d.mrk.json")));  // RAS flips x and y

        AssertRefused(Run("convert", dir.File("a.mrk.json"), dir.File("f.fcsv")), "menton", "absent", ".fcsv");
        var present = new LandmarkSet(set.Landmarks.Where(l => l.IsPresent));
        LandmarkFile.Write(present, dir.File("p.csv"));
        Assert.Equal(0, Run("convert", dir.File("p.csv"), dir.File("p.fcsv"), "--ras").Code);
        Assert.Contains("CoordinateSystem = RAS", File.ReadAllText(dir.File("p.fcsv")));
        Assert.Equal(present.Landmarks.Select(l => l.PositionMm), LandmarkFile.Read(dir.File("p.fcsv")).Landmarks.Select(l => l.PositionMm));

        // ISBI pixels need a spacing both ways; names default to 1..N.
        File.WriteAllLines(dir.File("i.txt"), ["10,20", "30,40", "1"]);
        AssertRefused(Run("convert", dir.File("i.txt"), dir.File("i.csv")), "i.txt", "--spacing");
        Assert.Equal(0, Run("convert", dir.File("i.txt"), dir.File("i.csv"), "--spacing", "0.1").Code);
        var isbi = LandmarkFile.Read(dir.File("i.csv"));
        Assert.Equal(["1", "2"], isbi.Names);
        Assert.Equal(new WorldMm(3, 4, 0), isbi.Find("2")!.PositionMm);
        Assert.Equal(0, Run("convert", dir.File("i.csv"), dir.File("j.txt"), "--spacing", "0.1").Code);
        Assert.Equal(["10,20", "30,40"], File.ReadAllLines(dir.File("j.txt")));
    }
}
