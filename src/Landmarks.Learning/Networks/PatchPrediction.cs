using static TorchSharp.torch;

namespace Landmarks.Learning.Networks;

/// <summary>
/// What a patch network says for every cell of its output grid: a presence logit per landmark
/// ([batch, landmarks, cells...]) and a compressed displacement from the cell's centre to each
/// landmark ([batch, landmarks, dimension, cells...]), in input voxels, signed-log compressed.
/// </summary>
public sealed record PatchPrediction(Tensor Logits, Tensor CompressedDisplacements) : IDisposable
{
    public void Dispose()
    {
        Logits.Dispose();
        CompressedDisplacements.Dispose();
    }
}
