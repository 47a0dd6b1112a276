using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Targets;

/// <summary>
/// Compression of displacements (in voxels of the network's input) as in Noothout et al. 2020:
/// <c>c = sign(d) * log10(1 + |d|)</c>. Large displacements far from a landmark then weigh in the
/// L1 loss about as much as the small ones near it.
/// </summary>
public static class SignedLog
{
    public static Tensor Compress(Tensor displacementVoxels)
    {
        using var log10 = Math.Log(10).ToScalar();  // held, not a temporary the GC may finalize mid-call
        return displacementVoxels.sign() * displacementVoxels.abs().log1p().div(log10);
    }

    public static Tensor Expand(Tensor compressed)
    {
        using var log10 = Math.Log(10).ToScalar();
        return compressed.sign() * compressed.abs().mul(log10).expm1();
    }

    public static double Compress(double displacementVoxels) =>
        Math.Sign(displacementVoxels) * Math.Log10(1 + Math.Abs(displacementVoxels));
}
