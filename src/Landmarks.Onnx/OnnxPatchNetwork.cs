using Landmarks.Inference.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Landmarks.Onnx;

/// <summary>A network exported to ONNX, run by ONNX Runtime: one session, which ONNX Runtime lets many threads run at once.</summary>
public sealed class OnnxPatchNetwork : IPatchNetwork, IDisposable
{
    private readonly InferenceSession _session;

    public OnnxPatchNetwork(byte[] model, SessionOptions options) => _session = new InferenceSession(model, options);

    public PatchOutput Run(IReadOnlyList<float[]> inputs, int[] size)
    {
        long voxels = size.Aggregate(1L, (a, b) => a * b);
        var batch = new float[inputs.Count * voxels];
        for (int n = 0; n < inputs.Count; n++) inputs[n].CopyTo(batch, n * voxels);
        int[] shape = [inputs.Count, 1, .. size.Reverse()];
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(batch, shape))]);
        var logits = results.First(r => r.Name == "logits").AsTensor<float>();
        var displacements = results.First(r => r.Name == "displacements").AsTensor<float>();
        int landmarks = logits.Dimensions[1], dimension = displacements.Dimensions[2];
        int cells = (int)(logits.Length / ((long)inputs.Count * landmarks));
        return new PatchOutput(inputs.Count, landmarks, dimension, cells, logits.ToArray(), displacements.ToArray());
    }

    public void Dispose() => _session.Dispose();
}
