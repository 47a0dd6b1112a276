using Landmarks.Imaging.IO;
using Landmarks.Inference.Model;
using Landmarks.Learning.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Landmarks.Learning.Training;

/// <summary>
/// The files an unfinished training keeps beside its checkpoint path: the current weights with where training
/// stood (<see cref="CheckpointState"/>), Adam's moment estimates for them, their running average
/// (<see cref="WeightAverage"/>) and the best weights so far. Every
/// file is written atomically; the average and the optimizer state first, each tagged with the stage and iteration
/// it belongs to, so a kill between the writes leaves state that does not match, which resuming notices.
/// </summary>
public sealed class CheckpointStore(string checkpointPath, Action<string>? log)
{
    private const string OptimizerMagic = "landmarks optimizer state 2";

    public string CheckpointPath => checkpointPath;
    private string BestPath => checkpointPath + ".best";
    private string OptimizerPath => checkpointPath + ".optimizer";
    private string AveragePath => checkpointPath + ".average";

    /// <summary>The files a run keeps beside <paramref name="checkpointPath"/> until it has finished.</summary>
    public static IReadOnlyList<string> Files(string checkpointPath) => [checkpointPath, checkpointPath + ".best", checkpointPath + ".optimizer", checkpointPath + ".average"];

    public bool HasCheckpoint => File.Exists(checkpointPath);

    /// <summary>The checkpoint to resume from, and the best and averaged weights saved with it (copies of it where
    /// there are none; for the average, also where it belongs to another iteration: a kill between the writes).</summary>
    public (TorchModel Current, TorchModel Best, TorchModel Average, CheckpointState State) Load()
    {
        var current = TorchModel.Load(checkpointPath);
        var state = current.Metadata.Checkpoint ?? throw new InvalidFileException(checkpointPath, "not a training checkpoint (a finished model?)");
        var best = TorchModel.Load(File.Exists(BestPath) ? BestPath : checkpointPath);
        var average = File.Exists(AveragePath) ? TorchModel.Load(AveragePath) : null;
        if (average?.Metadata.Checkpoint != state)
        {
            average?.Dispose();
            average = TorchModel.Load(checkpointPath);
            log?.Invoke("no weight average saved with this checkpoint: it starts again from the checkpoint's weights");
        }
        return (current, best, average, state);
    }

    /// <summary>Saves the current weights with where training stood, their running average and Adam's state, the
    /// last two tagged with the iteration they belong to.</summary>
    public void Save(TorchModel model, TorchModel average, ModelMetadata metadata, optim.Optimizer optimizer, CheckpointState state)
    {
        average.WithMetadata(metadata with { Checkpoint = state }).Save(AveragePath);
        AtomicFile.Write(OptimizerPath, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(OptimizerMagic);
            writer.Write((int)state.Stage);
            writer.Write(state.Iteration);
            ((OptimizerHelper)optimizer).save_state_dict(writer);
        });
        model.WithMetadata(metadata with { Checkpoint = state }).Save(checkpointPath);
    }

    public void SaveBest(TorchModel best, ModelMetadata metadata) => best.WithMetadata(metadata).Save(BestPath);

    /// <summary>Loads Adam's state saved with the checkpoint being resumed; without it (a kill between the two writes)
    /// the moment estimates start afresh.</summary>
    public void RestoreOptimizer(optim.Optimizer optimizer, TrainingStage stage, int iteration)
    {
        if (File.Exists(OptimizerPath))
        {
            using var reader = new BinaryReader(File.OpenRead(OptimizerPath), System.Text.Encoding.UTF8);
            if (reader.ReadString() == OptimizerMagic && reader.ReadInt32() == (int)stage && reader.ReadInt32() == iteration)
            {
                ((OptimizerHelper)optimizer).load_state_dict(reader);
                return;
            }
        }
        log?.Invoke("no optimizer state saved with this checkpoint: Adam's moment estimates start afresh");
    }

    public void Delete()
    {
        foreach (string file in Files(checkpointPath)) File.Delete(file);
    }
}
