using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Learning.Training;
using Landmarks.Tests;
using static TorchSharp.torch;
using static Landmarks.Cli.Tests.CliRunner;

namespace Landmarks.Cli.Tests;

public class PredictTests
{
    /// <summary>A barely trained model: predict's plumbing is under test here, not accuracy.</summary>
    private static string TinyModel(TempDirectory dir, double? presenceThreshold = null)
    {
        var train = Phantoms.WriteDataset(dir.File("train"), "train", 2, 6, 3);
        var config = TrainingRun.DeriveConfig(train, globalGridVoxels: 40);
        config = config with { Global = config.Global with { Iterations = 3 }, Local = config.Local with { Iterations = 1, BatchSize = 2 }, PresenceThreshold = presenceThreshold };
        TrainingRun.Train(dir.File("train/train.json"), null, dir.File("tiny.lmk"), config, new TrainerOptions(1, CPU, dir.File("tiny.checkpoint"), false, null)).Dispose();
        return dir.File("tiny.lmk");
    }

    [Fact]
    public void Predict_writes_every_landmark_skips_done_cases_and_goes_on_after_a_bad_image()
    {
        using var dir = new TempDirectory();
        string model = TinyModel(dir);
        var test = Phantoms.WriteDataset(dir.File("test"), "test", 2, 3, 4);
        File.WriteAllText(dir.File("test/broken.nii.gz"), "not an image");
        string csv = dir.File("pred.csv");

        var first = Run("predict", "--model", model, dir.File("test/test-000.nii.gz"), "--out", csv);
        Assert.Equal(0, first.Code);
        var second = Run("predict", "--model", model, dir.File("test"), "--out", csv, "--mrk", dir.File("mrk"));
        Assert.Equal(1, second.Code);
        Assert.Contains("error: case broken:", second.Err);
        Assert.Contains("2 cases predicted, 1 already in", second.Out);
        var rows = PredictionCsv.Read(csv);
        Assert.Equal(3 * Phantoms.LandmarkNames.Count, rows.Count);
        Assert.Equal(["test-000", "test-001", "test-002"], rows.Select(r => r.CaseId).Distinct().Order());
        Assert.All(rows, r => Assert.InRange(r.Confidence, 0, 1));
        Assert.Equal(Phantoms.LandmarkNames.Count, LandmarkFile.Read(dir.File("mrk/test-001.mrk.json")).Count);
    }

    [Fact]
    public void Predict_killed_in_the_middle_of_a_batch_and_rerun_gives_the_uninterrupted_csv_and_a_second_writer_is_refused()
    {
        using var dir = new TempDirectory();
        string model = TinyModel(dir);
        Phantoms.WriteDataset(dir.File("test"), "test", 2, 24, 5);
        string manifest = dir.File("test/test.json"), whole = dir.File("whole.csv"), resumed = dir.File("resumed.csv");
        Assert.Equal(0, RunProcess("predict", "--model", model, manifest, "--out", whole).Code);

        // SIGKILL (no chance to clean up) once some cases are written and others are not.
        using (var process = StartProcess("predict", "--model", model, manifest, "--out", resumed))
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(120) && CasesIn(resumed) < 2) Thread.Sleep(20);
            Assert.False(process.HasExited, "predict ended before it could be killed");
            // A second predict on the same CSV meanwhile is refused, not interleaved.
            var second = Run("predict", "--model", model, manifest, "--out", resumed);
            Assert.Equal(1, second.Code);
            Assert.Contains("another process is writing it", second.Err);
            process.Kill();
            process.WaitForExit();
        }
        int before = CasesIn(resumed);
        Assert.InRange(before, 2, 23);
        var rerun = RunProcess("predict", "--model", model, manifest, "--out", resumed);
        Assert.Equal(0, rerun.Code);
        Assert.Contains($"{24 - before} cases predicted, {before} already in", rerun.Out);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(resumed));
    }

    /// <summary>Cases in a prediction CSV being written by another process (0 before it exists).</summary>
    private static int CasesIn(string csv)
    {
        try { return File.Exists(csv) ? PredictionCsv.Read(csv).Select(r => r.CaseId).Distinct().Count() : 0; }
        catch (Exception e) when (e is IOException or Landmarks.Imaging.IO.InvalidFileException) { return 0; }
    }

    [Fact]
    public void Local_passes_other_than_one_or_two_are_refused_before_anything_is_read()
    {
        using var dir = new TempDirectory();
        var result = Run("predict", "--model", dir.File("missing.lmk"), dir.File("missing.png"), "--out", dir.File("pred.csv"), "--local-passes", "3");
        Assert.Equal(1, result.Code);
        Assert.Contains("--local-passes 3: the local stage makes 1 or 2 passes", result.Err);
        Assert.False(File.Exists(dir.File("pred.csv")));
    }

    [Fact]
    public void A_configured_presence_threshold_is_kept_and_predict_can_override_it()
    {
        using var dir = new TempDirectory();
        string model = TinyModel(dir, presenceThreshold: 0.5);
        using (var loaded = Landmarks.Learning.Model.TorchModel.Load(model)) Assert.Equal(0.5, loaded.Config.PresenceThreshold);
        Phantoms.WriteDataset(dir.File("test"), "test", 2, 2, 4);
        Assert.Equal(0, Run("predict", "--model", model, dir.File("test/test.json"), "--out", dir.File("strict.csv")).Code);
        // The CSV rounds confidences; those within rounding of the threshold could go either way.
        Assert.All(PredictionCsv.Read(dir.File("strict.csv")).Where(r => Math.Abs(r.Confidence - 0.5) > 1e-5), r => Assert.Equal(r.Confidence >= 0.5, r.Present));
        Assert.Equal(0, Run("predict", "--model", model, dir.File("test/test.json"), "--out", dir.File("lenient.csv"), "--presence-threshold", "0").Code);
        Assert.All(PredictionCsv.Read(dir.File("lenient.csv")), r => Assert.True(r.Present));
    }

    [Fact]
    public void Shards_split_the_cases_without_overlap()
    {
        using var dir = new TempDirectory();
        string model = TinyModel(dir);
        Phantoms.WriteDataset(dir.File("test"), "test", 2, 5, 4);
        Assert.Equal(0, Run("predict", "--model", model, dir.File("test/test.json"), "--out", dir.File("a.csv"), "--shard", "1/2").Code);
        Assert.Equal(0, Run("predict", "--model", model, dir.File("test/test.json"), "--out", dir.File("b.csv"), "--shard", "2/2").Code);
        var a = PredictionCsv.Read(dir.File("a.csv")).Select(r => r.CaseId).Distinct().ToList();
        var b = PredictionCsv.Read(dir.File("b.csv")).Select(r => r.CaseId).Distinct().ToList();
        Assert.Equal(["test-000", "test-002", "test-004"], a);
        Assert.Equal(["test-001", "test-003"], b);
        Assert.Equal(1, Run("predict", "--model", model, dir.File("test"), "--out", dir.File("c.csv"), "--shard", "3/2").Code);
    }

    [Fact]
    public void Corrupt_model_and_unavailable_device_are_clear_errors()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.lmk"), "LANDMARKS-MODEL\nthis is not the rest of a model file at all, but it is long enough");
        var (code, _, error) = Run("predict", "--model", dir.File("bad.lmk"), dir.File("x.nii"), "--out", dir.File("p.csv"));
        Assert.Equal(1, code);
        Assert.Contains("checksum mismatch", error);
        if (!TorchSharp.torch.cuda.is_available())
            Assert.Contains("no CUDA device", Run("predict", "--model", dir.File("bad.lmk"), dir.File("x.nii"), "--out", dir.File("p.csv"), "--device", "cuda").Err);
    }
}
