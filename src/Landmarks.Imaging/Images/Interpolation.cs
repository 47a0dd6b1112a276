namespace Landmarks.Imaging.Images;

public enum Interpolation
{
    /// <summary>Value of the nearest voxel centre: for label maps.</summary>
    Nearest,
    /// <summary>Bilinear in 2D, trilinear in 3D.</summary>
    Linear,
}
