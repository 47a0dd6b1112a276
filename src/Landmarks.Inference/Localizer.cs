using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Learning.Data;
using Landmarks.Learning.Model;
using Landmarks.Learning.Networks;
using Landmarks.Learning.Targets;
using Landmarks.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Inference;

/// <summary>A landmark placed on an image: world mm, the global stage's presence confidence, the
/// call against the model's threshold, and the global estimate it was refined from.</summary>
public sealed record LocatedLandmark(string Name, WorldMm PositionMm, double Confidence, bool Present, WorldMm GlobalEstimateMm);

/// <summary>
/// Places every landmark of a model on an image: the global network over the whole coarse image,
/// aggregation of its patch votes, then each landmark's local network on a fine crop around the
/// global estimate, aggregated the same way.
/// </summary>
/// <param name="presenceThreshold">Overrides the model's threshold for calling a landmark present.</param>
public sealed class Localizer(LocalizerModel model, Device? device = null, double? presenceThreshold = null)
{
    /// <summary>Below this local presence the local crop is taken to have missed the landmark, and the global estimate stands.</summary>
    public const double MinimumLocalPresence = 0.1;

    /// <summary>Training summary key (suffixed with the landmark index): 0 when validation showed the local
    /// network of that landmark to be no better than the global stage, so it is not used.</summary>
    public const string LocalEnabledKey = "localEnabled";

    private readonly Device _device = device ?? CPU;

    public LocalizerModel Model => model;

    public IReadOnlyList<LocatedLandmark> Locate(Image image)
    {
        if (image.Dimension != model.Config.Dimension)
            throw new ArgumentException($"the model is for {model.Config.Dimension}D images, this image is {image.Dimension}D");
        var (global, local) = StageImage.PrepareBoth(image, model.Config.Global.SpacingMm, model.Config.Local.SpacingMm);
        return Locate(global, local);
    }

    public IReadOnlyList<LocatedLandmark> Locate(StageImage global, StageImage local)
    {
        var coarse = GlobalEstimates(global);
        var result = new List<LocatedLandmark>();
        for (int l = 0; l < coarse.Length; l++)
        {
            var globalMm = global.ToWorld(coarse[l].InputVoxel);
            bool useLocal = model.Metadata.TrainingSummary.GetValueOrDefault($"{LocalEnabledKey}.{l}", 1) != 0;
            var refined = useLocal ? Refine(l, local, globalMm) : globalMm;
            bool present = coarse[l].Presence >= (presenceThreshold ?? model.Config.PresenceThreshold ?? LocalizerConfig.DefaultPresenceThreshold);
            result.Add(new LocatedLandmark(model.LandmarkNames[l], refined, coarse[l].Presence, present, globalMm));
        }
        return result;
    }

    /// <summary>The global stage: estimates in the global stage grid's voxels, with presence.</summary>
    public PatchEstimate[] GlobalEstimates(StageImage global)
    {
        int stride = model.Config.Global.Shape.OutputStride;
        int[] padded = [.. global.Size.Select(n => (n + stride - 1) / stride * stride)];
        var crop = new CropTransform(Matrix3.Identity, Vec3.Zero, padded);
        return Run(model.Global, crop.Sample(global), new PatchGrid(padded, stride), model.Config.Global.TopCells, presenceOfTopCells: true);
    }

    /// <summary>The local stage for one landmark, around an estimate in world mm.</summary>
    public WorldMm Refine(int landmark, StageImage local, WorldMm estimateMm)
    {
        int size = model.Config.Local.CropSize;
        int[] cropSize = [.. Enumerable.Repeat(size, local.Dimension)];
        var crop = CropTransform.Centred(local.ToVoxel(estimateMm), cropSize);
        var estimate = Run(model.Locals[landmark], crop.Sample(local), new PatchGrid(cropSize, LocalNetwork.OutputStride), model.Config.Local.TopCells, presenceOfTopCells: false)[0];
        // The local network knows only its crop: an estimate outside it is no refinement.
        bool insideCrop = estimate.InputVoxel.Select((v, axis) => v >= -0.5 && v <= size - 0.5).All(inside => inside);
        return estimate.Presence < MinimumLocalPresence || !insideCrop ? estimateMm : local.ToWorld(crop.ToStage(estimate.InputVoxel));
    }

    private PatchEstimate[] Run(nn.Module<Tensor, PatchPrediction> network, float[] voxels, PatchGrid grid, int topCells, bool presenceOfTopCells)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var noCollection = NoCollectionSection.Enter();
        network.eval();
        long[] shape = [1, 1, .. grid.InputSize.Reverse().Select(n => (long)n)];
        using var prediction = network.forward(tensor(voxels, shape).to(_device));
        return Decode(prediction, grid, topCells, presenceOfTopCells);
    }

    /// <summary>Network output of one sample to per-landmark probabilities and displacements, then aggregation.</summary>
    internal static PatchEstimate[] Decode(PatchPrediction prediction, PatchGrid grid, int topCells, bool presenceOfTopCells)
    {
        int landmarks = (int)prediction.Logits.shape[1], cells = grid.CellCount, d = grid.Dimension;
        var probabilities = prediction.Logits[0].sigmoid().cpu().reshape(landmarks, cells).data<float>().ToArray();
        var displacements = SignedLog.Expand(prediction.CompressedDisplacements[0]).cpu().reshape(landmarks * d, cells).data<float>().ToArray();
        var p = new float[landmarks][];
        var disp = new float[landmarks][][];
        for (int l = 0; l < landmarks; l++)
        {
            p[l] = probabilities.AsSpan(l * cells, cells).ToArray();
            disp[l] = new float[d][];
            for (int axis = 0; axis < d; axis++)
            {
                // No landmark in training was farther from a cell than the input is wide: a larger vote is noise
                // of a poorly trained network (one such vote, expanded from the log scale, can be metres).
                float limit = grid.InputSize[axis];
                disp[l][axis] = [.. displacements.AsSpan((l * d + axis) * cells, cells).ToArray().Select(v => Math.Clamp(v, -limit, limit))];
            }
        }
        return PatchAggregation.Aggregate(grid, p, disp, topCells, presenceOfTopCells);
    }
}
