using Landmarks.Imaging.Geometry;

namespace Landmarks.Inference.Shape;

/// <summary>
/// The orientations the global stage tries on a new image when the training poses differ too much for one
/// network input to cover them (specimens scanned any way up): in 3D the 24 rotations that map a cube onto
/// itself, which leave every orientation within 63 degrees of one of them; in 2D eight turns of 45 degrees.
/// </summary>
public static class Orientations
{
    /// <summary>The largest rotation between any orientation and the nearest candidate (the octahedral group's
    /// covering radius, 62.8 degrees, measured; 22.5 in 2D): training crops must be turned at least this far.</summary>
    public static double CoveringDegrees(int dimension) => dimension == 2 ? 22.5 : 62.8;

    public static IReadOnlyList<Matrix3> Candidates(int dimension)
    {
        if (dimension == 2) return [.. Enumerable.Range(0, 8).Select(k => Matrix3.Rotation(2, k * Math.PI / 4))];
        // Every proper signed permutation matrix: a permutation of the axes with signs whose determinant is +1.
        var result = new List<Matrix3>();
        int[][] permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (var p in permutations)
            for (int signs = 0; signs < 8; signs++)
            {
                var m = new double[3, 3];
                for (int row = 0; row < 3; row++) m[row, p[row]] = (signs >> row & 1) == 0 ? 1 : -1;
                var matrix = new Matrix3(m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2], m[2, 0], m[2, 1], m[2, 2]);
                if (matrix.Determinant > 0) result.Add(matrix);
            }
        return result;
    }
}
