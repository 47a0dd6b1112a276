namespace Landmarks.Inference.Patches;

/// <summary>
/// Compression of displacements (in voxels of the network's input) as in Noothout et al. 2020:
/// <c>c = sign(d) * log10(1 + |d|)</c>, so that large displacements far from a landmark weigh in the L1 loss
/// about as much as the small ones near it. Networks output compressed displacements; inference expands them.
/// </summary>
public static class SignedLog
{
    public static double Compress(double displacementVoxels) => Math.Sign(displacementVoxels) * Math.Log10(1 + Math.Abs(displacementVoxels));

    public static double Expand(double compressed) => Math.Sign(compressed) * (Math.Pow(10, Math.Abs(compressed)) - 1);
}
