using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Tests;
using static Landmarks.Cli.Tests.CliRunner;

namespace Landmarks.Cli.Tests;

public class CliTests
{
    private static Image Volume()
    {
        var g = new ImageGeometry(3, new GridSize(20, 24, 16), new Vec3(0.5, 0.5, 0.8), new WorldMm(-5, -6, 7), Matrix3.Diagonal(new Vec3(-1, -1, 1)));
        var image = Image.Filled(g);
        for (int n = 0; n < image.Voxels.Length; n++) image.Voxels[n] = n % 97;
        return image;
    }

    [Fact]
    public void Info_prints_size_spacing_and_origin()
    {
        using var dir = new TempDirectory();
        ImageFile.Write(Volume(), dir.File("v.nrrd"));
        var (code, output, _) = Run("info", dir.File("v.nrrd"));
        Assert.Equal(0, code);
        Assert.Contains("20 x 24 x 16 voxels", output);
        Assert.Contains("0.5 x 0.5 x 0.8 mm", output);
        Assert.Contains("-5, -6, 7 mm (LPS)", output);
        Assert.Contains("axis i: -1, 0, 0", output);
    }

    [Fact]
    public void Convert_writes_the_target_format()
    {
        using var dir = new TempDirectory();
        ImageFile.Write(Volume(), dir.File("v.nrrd"));
        var (code, _, _) = Run("convert", dir.File("v.nrrd"), dir.File("v.nii.gz"));
        Assert.Equal(0, code);
        Assert.True(Volume().Geometry.SameGridAs(ImageFile.Read(dir.File("v.nii.gz")).Geometry));
    }

    [Theory]
    [InlineData("broken.nii", "not a NIfTI")]
    [InlineData("broken.mha", "MetaImage")]
    [InlineData("broken.nrrd", "not a NRRD")]
    [InlineData("broken.png", "not a readable PNG")]
    [InlineData("broken.jpg", "not a readable JPG")]
    public void Bad_file_gives_one_clear_line_and_a_nonzero_exit(string name, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(name), "garbage\n");
        var (code, output, error) = Run("info", dir.File(name));
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {dir.File(name)}: ", line);
        Assert.Contains(reason, line);
        Assert.DoesNotContain(" at ", line);
    }

    [Fact]
    public void Malformed_spacing_is_a_usage_error()
    {
        var (code, _, error) = Run("info", "x.png", "--spacing", "0.1,abc");
        Assert.Equal(1, code);
        Assert.Contains("--spacing '0.1,abc'", error);
    }

    [Fact]
    public void Import_check_and_draw_work_on_a_mini_isbi_layout()
    {
        using var dir = new TempDirectory();
        string root = Fixtures.MakeMiniIsbi(dir, 2);
        var import = Run("import", "isbi2015", root, "--out", dir.File("isbi.json"));
        Assert.Equal(0, import.Code);
        Assert.Contains("train: 2 cases, 19 landmarks, 2 with a second observer", import.Out);
        var check = Run("dataset", "check", dir.File("isbi.json"));
        Assert.Equal(0, check.Code);
        Assert.Contains("check passed: 2 of 2 cases readable", check.Out);
        var draw = Run("draw", "--data", dir.File("isbi.json"), "--case", "002", "--out", dir.File("002.png"), "--size", "300");
        Assert.Equal(0, draw.Code);
        Assert.Contains("38 landmarks", draw.Out);
        Assert.True(ImageFile.Read(dir.File("002.png"), new ImageReadOptions(Vec3.One)).Size.X >= 300);
    }

    [Fact]
    public void Dataset_check_fails_on_an_unreadable_case()
    {
        using var dir = new TempDirectory();
        string root = Fixtures.MakeMiniIsbi(dir, 2);
        Run("import", "isbi2015", root, "--out", dir.File("isbi.json"));
        File.WriteAllText(Path.Combine(root, "RawImage", "TrainingData", "001.jpg"), "not a jpeg");
        var check = Run("dataset", "check", dir.File("isbi.json"));
        Assert.Equal(1, check.Code);
        Assert.Contains("check failed: 1 of 2 cases unreadable", check.Out);
        Assert.Contains("case 001:", check.Err);
    }

    [Fact]
    public void Draw_projects_3D_landmarks_and_dataset_create_pairs_files()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("img"));
        Directory.CreateDirectory(dir.File("lm"));
        ImageFile.Write(Volume(), dir.File("img/a.nii.gz"));
        LandmarkFile.Write(new LandmarkSet([new Landmark("tip", new WorldMm(-8, -10, 10))]), dir.File("lm/a.mrk.json"));
        var draw = Run("draw", dir.File("img/a.nii.gz"), dir.File("lm/a.mrk.json"), "--out", dir.File("a.png"), "--size", "200");
        Assert.Equal(0, draw.Code);
        Assert.True(File.Exists(dir.File("a.png")));
        var create = Run("dataset", "create", "--images", dir.File("img"), "--landmarks", dir.File("lm"), "--out", dir.File("mine.json"));
        Assert.Equal(0, create.Code);
        Assert.Contains("1 cases, 1 landmarks", create.Out);
        Assert.Equal(0, Run("dataset", "check", dir.File("mine.json")).Code);
    }

    [Fact]
    public void Senior_points_score_half_a_pixel_from_the_observers_mean_and_a_pixel_from_the_junior()
    {
        using var dir = new TempDirectory();
        Run("import", "isbi2015", Fixtures.MakeMiniIsbi(dir, 2), "--out", dir.File("isbi.json"));
        var manifest = Imaging.Datasets.DatasetManifest.Load(dir.File("isbi.json"));
        var senior = manifest.Cases.SelectMany(c => manifest.ReadReference(c).Landmarks.Select(l => new LandmarkPrediction(c.Id, l.Name, l.PositionMm, 1, true)));
        PredictionCsv.Write([.. senior], dir.File("senior.csv"), 2);
        var mean = Run("dataset", "reference", dir.File("isbi.json"), "--use", "mean", "--out", dir.File("mean"));
        Assert.Equal(0, mean.Code);
        Assert.Contains("2 cases -> " + Path.Combine(dir.File("mean"), "isbi2015-train-observer-mean.json"), mean.Out);
        Assert.Contains("senior: 2 cases, MRE 0.050 ± 0.000 mm", Run("evaluate", "--pred", dir.File("senior.csv"), "--data", dir.File("mean/isbi2015-train-observer-mean.json")).Out);
        Run("dataset", "reference", dir.File("isbi.json"), "--use", "second", "--out", dir.File("junior"));
        var junior = Run("evaluate", "--pred", dir.File("senior.csv"), "--data", dir.File("junior/isbi2015-train-second-observer.json")).Out;
        Assert.Contains("senior: 2 cases, MRE 0.100 ± 0.000 mm", junior);
        Assert.Contains("second observer: 2 cases, MRE 0.100", junior);
        Assert.NotEqual(0, Run("dataset", "reference", dir.File("isbi.json"), "--use", "third", "--out", dir.File("x")).Code);
    }

    [Fact]
    public void Evaluate_scores_two_models_and_writes_the_report()
    {
        using var dir = new TempDirectory();
        string root = Fixtures.MakeMiniIsbi(dir, 3);
        Run("import", "isbi2015", root, "--out", dir.File("isbi.json"));
        var manifest = Imaging.Datasets.DatasetManifest.Load(dir.File("isbi.json"));
        var grid = ImageGeometry.Simple(new GridSize(40, 30, 1), new Vec3(0.1, 0.1, 1));
        var exact = new List<LandmarkPrediction>();
        var shifted = new List<LandmarkPrediction>();
        foreach (var c in manifest.Cases)
            foreach (var l in manifest.ReadLandmarks(manifest.Resolve(c.Landmarks), grid).Landmarks)
            {
                exact.Add(new(c.Id, l.Name, l.PositionMm, 1, true));
                shifted.Add(new(c.Id, l.Name, l.PositionMm!.Value + new Vec3(3, 4, 0), 1, true));
            }
        PredictionCsv.Write(exact, dir.File("exact.csv"), 2);
        PredictionCsv.Write(shifted, dir.File("shifted.csv"), 2);
        var (code, output, _) = Run("evaluate", "--pred", dir.File("exact.csv"), "--pred", dir.File("shifted.csv"), "--data", dir.File("isbi.json"), "--out", dir.File("eval"), "--gallery", "2", "--measures");
        Assert.Equal(0, code);
        Assert.Contains("exact: 3 cases, MRE 0.000 ± 0.000 mm", output);
        Assert.Contains("shifted: 3 cases, MRE 5.000 ± 0.000 mm", output);
        Assert.Contains("SDR 2 mm 0.0%", output);
        Assert.Contains("second observer: 3 cases, MRE 0.100", output);
        Assert.Contains("exact vs shifted: 57 pairs, mean difference -5.000 mm", output);
        Assert.Contains("(significant at 0.05)", output);
        foreach (var file in new[] { "metrics.json", "errors.csv", "report.html" }) Assert.True(File.Exists(Path.Combine(dir.File("eval"), file)));
        Assert.Equal(1 + 3 * 57, File.ReadAllLines(Path.Combine(dir.File("eval"), "errors.csv")).Length);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(dir.File("eval"), "report.html")));
        // The reference's own points put every case in its own classes (this fixture's points lie on one line, so only
        // that is meaningful here; MeasureTests checks the geometry).
        Assert.Contains("exact: classes agreeing with the reference: ANB 100.0%", output);
        Assert.Contains("mean 100.0% (3 cases)", output.Split('\n').Single(l => l.StartsWith("exact: classes agreeing")));
        Assert.Contains("second observer: classes agreeing with the reference", output);
        var agreement = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir.File("eval"), "metrics.json")))!["measureAgreement"]!.AsArray();
        Assert.Equal(["exact", "shifted", "second observer"], agreement.Select(a => (string)a!["name"]!));
        Assert.Equal(8, agreement[0]!["measures"]!.AsObject().Count);
        Assert.All(agreement[0]!["measures"]!.AsObject(), m => Assert.Equal(1.0, (double)m.Value!["accuracy"]!));
        Assert.Contains("<h2>Clinical measures</h2>", File.ReadAllText(Path.Combine(dir.File("eval"), "report.html")));
    }

    [Fact]
    public void Help_lists_every_command()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "info", "convert", "import", "dataset", "draw", "evaluate" }) Assert.Contains(command, output);
    }
}
