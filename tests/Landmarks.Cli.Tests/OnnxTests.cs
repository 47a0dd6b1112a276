using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Inference.Model;
using Landmarks.Learning.Training;
using Landmarks.Tests;
using static Landmarks.Cli.Tests.CliRunner;
using static TorchSharp.torch;

namespace Landmarks.Cli.Tests;

/// <summary>Exported models on ONNX Runtime: the same predictions as on libtorch, shards that merge, a program free of libtorch.</summary>
public class OnnxTests
{
    /// <summary>A briefly trained model on phantoms, and held-out phantoms to predict.</summary>
    private static (string Model, string Test) Trained(TempDirectory dir, int dimension)
    {
        var train = Phantoms.WriteDataset(dir.File("train"), "train", dimension, dimension == 2 ? 12 : 8, 3);
        Phantoms.WriteDataset(dir.File("test"), "test", dimension, 4, 9);
        var config = TrainingRun.DeriveConfig(train, globalGridVoxels: dimension == 2 ? 40 : 24);
        config = config with { Global = config.Global with { Iterations = 60 }, Local = config.Local with { Iterations = 20, BatchSize = 4 }, ValidateEvery = 1000 };
        TrainingRun.Train(dir.File("train/train.json"), null, dir.File("m.lmk"), config, new TrainerOptions(1, CPU, dir.File("m.checkpoint"), false, null)).Dispose();
        return (dir.File("m.lmk"), dir.File("test/test.json"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void An_exported_model_predicts_on_onnx_runtime_what_it_predicts_on_libtorch(int dimension)
    {
        using var dir = new TempDirectory();
        var (model, test) = Trained(dir, dimension);
        var export = Run("export", model, "--out", dir.File("m.zip"));
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("ONNX opset 17", export.Out);
        Assert.Equal(0, Run("predict", "--model", model, test, "--out", dir.File("torch.csv")).Code);
        var onnx = Run("predict", "--model", dir.File("m.zip"), test, "--out", dir.File("onnx.csv"));  // the engine follows the file
        Assert.True(onnx.Code == 0, onnx.Err);
        var torchRows = PredictionCsv.Read(dir.File("torch.csv"));
        var onnxRows = PredictionCsv.Read(dir.File("onnx.csv"));
        Assert.Equal(torchRows.Count, onnxRows.Count);
        for (int n = 0; n < torchRows.Count; n++)
        {
            Assert.Equal((torchRows[n].CaseId, torchRows[n].Landmark, torchRows[n].Present), (onnxRows[n].CaseId, onnxRows[n].Landmark, onnxRows[n].Present));
            double apart = torchRows[n].PositionMm!.Value.DistanceTo(onnxRows[n].PositionMm!.Value);
            Assert.True(apart < 0.01, $"{torchRows[n].CaseId} {torchRows[n].Landmark}: {apart:0.0000} mm apart");
        }
        if (dimension == 3) Assert.Contains("for 2D models", Run("export", model, "--out", dir.File("q.zip"), "--int8", dir.File("train/train.json")).Err);
        Assert.Contains("exported model", Run("predict", "--model", dir.File("m.zip"), test, "--out", dir.File("x.csv"), "--engine", "torch").Err);
        Assert.Contains("landmarks export", Run("predict", "--model", model, test, "--out", dir.File("x.csv"), "--engine", "onnx").Err);
    }

    [Fact]
    public void An_int8_export_runs_integer_convolutions_about_as_accurately_as_the_float_export()
    {
        using var dir = new TempDirectory();
        var (model, test) = Trained(dir, 2);
        Assert.Equal(0, Run("export", model, "--out", dir.File("float.zip")).Code);
        var export = Run("export", model, "--out", dir.File("int8.zip"), "--int8", dir.File("train/train.json"));
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("8-bit convolutions", export.Out);
        var package = ModelPackage.Load(dir.File("int8.zip"));
        foreach (var network in new[] { package.GlobalNetwork, package.LocalNetwork })
        {
            var graph = global::Onnx.ModelProto.Parser.ParseFrom(network).Graph;
            // Batch normalisation folded; every convolution but the two heads reads int8 weights and uint8 activations.
            Assert.DoesNotContain(graph.Node, n => n.OpType == "BatchNormalization");
            int convolutions = graph.Node.Count(n => n.OpType == "Conv");
            Assert.Equal(convolutions - 2, graph.Initializer.Count(i => i.DataType == (int)global::Onnx.TensorProto.Types.DataType.Int8 && i.Dims.Count > 1));
            Assert.Equal(convolutions, graph.Node.Count(n => n.OpType == "Conv" && graph.Node.Any(d => d.OpType == "DequantizeLinear" && d.Output[0] == n.Input[0])));
        }
        Assert.Equal(0, Run("predict", "--model", dir.File("float.zip"), test, "--out", dir.File("float.csv")).Code);
        Assert.Equal(0, Run("predict", "--model", dir.File("int8.zip"), test, "--out", dir.File("int8.csv")).Code);
        var floatRows = PredictionCsv.Read(dir.File("float.csv"));
        var int8Rows = PredictionCsv.Read(dir.File("int8.csv"));
        var manifest = DatasetManifest.Load(test);
        var reference = manifest.Cases.SelectMany(c => manifest.LoadCase(c).Reference.Landmarks.Select(l => (c.Id, l.Name, l.PositionMm!.Value))).ToDictionary(r => (r.Id, r.Name), r => r.Value);
        double Mre(IEnumerable<LandmarkPrediction> rows) => rows.Average(r => r.PositionMm!.Value.DistanceTo(reference[(r.CaseId, r.Landmark)]));
        // A model of a few dozen steps places these phantoms' landmarks about 6 mm off; 8 bits add a few percent to that.
        Assert.True(Mre(int8Rows) < 1.1 * Mre(floatRows), $"int8 {Mre(int8Rows):0.000} mm, float {Mre(floatRows):0.000} mm");
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("no images", Run("export", model, "--out", dir.File("x.zip"), "--int8", dir.File("empty")).Err);
    }

    [Fact]
    public void Four_shard_processes_merge_into_what_one_run_writes()
    {
        using var dir = new TempDirectory();
        var (model, _) = Trained(dir, 2);
        Phantoms.WriteDataset(dir.File("cohort"), "cohort", 2, 9, 21);
        Assert.Equal(0, Run("export", model, "--out", dir.File("m.zip")).Code);
        Assert.Equal(0, Run("predict", "--model", dir.File("m.zip"), dir.File("cohort"), "--out", dir.File("single.csv")).Code);
        var shards = Enumerable.Range(1, 4).Select(k => StartProcess("predict", "--model", dir.File("m.zip"), dir.File("cohort"), "--out", dir.File($"part{k}.csv"), "--shard", $"{k}/4")).ToList();
        foreach (var shard in shards)
        {
            shard.WaitForExit();
            Assert.True(shard.ExitCode == 0, shard.StandardError.ReadToEnd());
            shard.Dispose();
        }
        string[] parts = [.. Enumerable.Range(1, 4).Select(k => dir.File($"part{k}.csv"))];
        var merged = Run(["merge", .. parts, "--out", dir.File("merged.csv"), "--cases", dir.File("cohort")]);
        Assert.True(merged.Code == 0, merged.Err);
        Assert.Equal(File.ReadAllText(dir.File("single.csv")), File.ReadAllText(dir.File("merged.csv")));

        var overlap = Run("merge", parts[0], parts[1], parts[0], "--out", dir.File("bad.csv"));
        Assert.Equal(1, overlap.Code);
        Assert.Contains("also in", overlap.Err);
        var missing = Run(["merge", .. parts[..3], "--out", dir.File("bad.csv"), "--cases", dir.File("cohort")]);
        Assert.Equal(1, missing.Code);
        Assert.Contains("are in no part: cohort-003, cohort-007", missing.Err);
    }

    [Fact]
    public void The_sample_program_runs_with_no_libtorch_beside_it()
    {
        // The sample is built with the solution, in the tests' configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string output = Path.Combine(Repository.Root, "samples", "PredictLandmarks", "bin", configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "PredictLandmarks.dll")), $"the sample is not built in {output}");
        var files = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(files, f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("libonnxruntime.so", files);
    }
}
