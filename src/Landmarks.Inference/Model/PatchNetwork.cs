namespace Landmarks.Inference.Model;

/// <summary>
/// What a patch network says for a batch of inputs, as the network gives it: per sample, landmark and output
/// cell a presence logit, and per axis a compressed displacement from the cell's centre to the landmark (input
/// voxels, <see cref="Patches.SignedLog"/>). Cells are flat indices of the <see cref="Patches.PatchGrid"/>, x fastest.
/// </summary>
/// <param name="Logits">[sample][landmark][cell], flattened.</param>
/// <param name="CompressedDisplacements">[sample][landmark][axis][cell], flattened.</param>
public sealed record PatchOutput(int Samples, int Landmarks, int Dimension, int Cells, float[] Logits, float[] CompressedDisplacements)
{
    public float Logit(int sample, int landmark, int cell) => Logits[(sample * Landmarks + landmark) * Cells + cell];

    public float CompressedDisplacement(int sample, int landmark, int axis, int cell) =>
        CompressedDisplacements[((sample * Landmarks + landmark) * Dimension + axis) * Cells + cell];
}

/// <summary>
/// A fully convolutional patch network, whatever runs it (TorchSharp, ONNX Runtime): inputs of one size in, a
/// <see cref="PatchOutput"/> out. Implementations may be called from several threads at once.
/// </summary>
public interface IPatchNetwork
{
    /// <param name="inputs">Per sample, the voxels of an input of <paramref name="size"/> (x, y[, z]), x fastest.</param>
    PatchOutput Run(IReadOnlyList<float[]> inputs, int[] size);
}
