using static TorchSharp.torch;

namespace Landmarks.Learning.Targets;

/// <summary>
/// Compression of displacements (in voxels of the network's input) as in Noothout et al. 2020:
/// <c>c = sign(d) * log10(1 + |d|)</c>. Large displacements far from a landmark then weigh in the
/// L1 loss about as much as the small ones near it.
/// </summary>
public static class SignedLog
{
    public static Tensor Compress(Tensor displacementVoxels) =>
        displacementVoxels.sign() * displacementVoxels.abs().log1p() / Math.Log(10);

    public static Tensor Expand(Tensor compressed) =>
        compressed.sign() * (compressed.abs() * Math.Log(10)).expm1();

    public static double Compress(double displacementVoxels) =>
        Math.Sign(displacementVoxels) * Math.Log10(1 + Math.Abs(displacementVoxels));
}
