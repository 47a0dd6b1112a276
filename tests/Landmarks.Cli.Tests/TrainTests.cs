using Landmarks.Imaging.Datasets;
using Landmarks.Learning.Training;
using Landmarks.Tests;
using static Landmarks.Cli.Tests.CliRunner;

namespace Landmarks.Cli.Tests;

/// <summary>The train command as a user runs it: progress on a terminal and in a log, a killed process resumed, the same seed in two processes.</summary>
public class TrainTests
{
    /// <summary>Tiny 2D phantoms and a configuration short enough for a test.</summary>
    internal static (string Data, string Config) TinySetup(TempDirectory dir, int globalIterations, int localIterations, int checkpointEvery = 100)
    {
        var train = Phantoms.WriteDataset(dir.File("train"), "train", 2, 8, 3);
        var config = TrainingRun.DeriveConfig(train, globalGridVoxels: 40);
        config = config with
        {
            Global = config.Global with { Iterations = globalIterations },
            Local = config.Local with { Iterations = localIterations, BatchSize = 2 },
            ValidateEvery = 1000,
            CheckpointEvery = checkpointEvery,
        };
        File.WriteAllText(dir.File("config.json"), config.ToJson());
        return (dir.File("train/train.json"), dir.File("config.json"));
    }

    [Fact]
    public void Progress_is_plain_lines_in_a_log_and_live_bars_on_a_terminal()
    {
        using var dir = new TempDirectory();
        var (data, config) = TinySetup(dir, 20, 10);

        var piped = RunIn(false, "train", "--data", data, "--config", config, "--out", dir.File("a.lmk"));
        Assert.Equal(0, piped.Code);
        Assert.Contains("global 20/20  loss ", piped.Out);
        Assert.Contains("local 10/10  loss ", piped.Out);
        Assert.Contains("wrote " + dir.File("a.lmk"), piped.Out);
        Assert.DoesNotContain('\u001b', piped.Out);

        var terminal = RunIn(true, "train", "--data", data, "--config", config, "--out", dir.File("b.lmk"));
        Assert.Equal(0, terminal.Code);
        Assert.Contains('\u001b', terminal.Out);  // the live display redraws in place
        Assert.Matches(@"local 10/10 +\u001b\[[0-9;]*m━{15}\u001b\[0m loss \d", terminal.Out);  // the bar, full, with the loss beside it
        Assert.Contains("global stage done", terminal.Out);  // log lines print above the bars
        Assert.Contains("wrote " + dir.File("b.lmk"), terminal.Out);
    }

    [Fact]
    public void A_killed_training_process_resumes_to_the_model_an_uninterrupted_one_writes()
    {
        using var dir = new TempDirectory();
        var (data, config) = TinySetup(dir, 400, 20, checkpointEvery: 20);

        var whole = RunProcess("train", "--data", data, "--config", config, "--out", dir.File("whole.lmk"), "--seed", "3");
        Assert.True(whole.Code == 0, whole.Err);

        // SIGKILL as soon as the first checkpoint has been written, in the middle of the global stage.
        using (var doomed = StartProcess("train", "--data", data, "--config", config, "--out", dir.File("killed.lmk"), "--seed", "3"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(dir.File("killed.lmk.checkpoint")) && !doomed.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.False(doomed.HasExited, "training ended before it could be killed");
            doomed.Kill();
            doomed.WaitForExit();
        }
        Assert.False(File.Exists(dir.File("killed.lmk")));

        var resumed = RunProcess("train", "--data", data, "--config", config, "--out", dir.File("killed.lmk"), "--seed", "3", "--resume");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Matches(@"resuming the global stage at iteration [1-9]\d*", resumed.Out);
        Assert.DoesNotContain("start afresh", resumed.Out);
        Assert.Equal(File.ReadAllBytes(dir.File("whole.lmk")), File.ReadAllBytes(dir.File("killed.lmk")));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path).Select(Path.GetFileName), name => name!.StartsWith("killed.lmk."));
    }
}
