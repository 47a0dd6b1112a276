using Landmarks.Inference.Model;
using Landmarks.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Model;

/// <summary>A TorchSharp network as the inference core sees it: inputs in, logits and compressed displacements out,
/// in evaluation mode without gradients, with the garbage collector held off during the native calls.</summary>
public sealed class TorchPatchNetwork(nn.Module<Tensor, PatchPrediction> network, Device device) : IPatchNetwork
{
    public PatchOutput Run(IReadOnlyList<float[]> inputs, int[] size)
    {
        long voxels = size.Aggregate(1L, (a, b) => a * b);
        var batch = new float[inputs.Count * voxels];
        for (int n = 0; n < inputs.Count; n++) inputs[n].CopyTo(batch, n * voxels);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var noCollection = NoCollectionSection.Enter();
        network.eval();
        long[] shape = [inputs.Count, 1, .. size.Reverse().Select(n => (long)n)];
        var prediction = network.forward(tensor(batch, shape).to(device));
        var logits = prediction.Logits.cpu();
        var displacements = prediction.CompressedDisplacements.cpu();
        int landmarks = (int)logits.shape[1], dimension = (int)displacements.shape[2];
        int cells = (int)(logits.numel() / (inputs.Count * landmarks));
        return new PatchOutput(inputs.Count, landmarks, dimension, cells, logits.data<float>().ToArray(), displacements.data<float>().ToArray());
    }
}
