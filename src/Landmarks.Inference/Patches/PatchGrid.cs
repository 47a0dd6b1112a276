using Landmarks.Inference.Stages;

namespace Landmarks.Inference.Patches;

/// <summary>
/// The output grid of a patch network over an input of <see cref="InputSize"/> voxels: cell c covers
/// input voxels c*S .. c*S+S-1 on each axis (S the output stride), so its centre is at c*S + (S-1)/2.
/// Axes in (x, y, z) order; tensors store them reversed (z, y, x), with x fastest.
/// </summary>
public sealed record PatchGrid(int[] InputSize, int Stride)
{
    public int Dimension => InputSize.Length;
    public int[] Cells => [.. InputSize.Select(n => n / Stride)];
    public int CellCount => Cells.Aggregate(1, (a, b) => a * b);

    /// <summary>Tensor shape of the cells (z, y, x order).</summary>
    public long[] TensorShape => [.. Cells.Reverse().Select(c => (long)c)];

    public double CentreOf(int cell) => cell * Stride + (Stride - 1) / 2.0;

    /// <summary>The centre of a cell (flat index) in the input crop's voxels.</summary>
    public CropVoxel CentreOfCell(int flat)
    {
        var cell = CellOf(flat);
        return new CropVoxel(CentreOf(cell[0]), CentreOf(cell[1]), Dimension == 3 ? CentreOf(cell[2]) : 0);
    }

    /// <summary>Cell coordinates (x, y, z order) of a flat cell index (x fastest).</summary>
    public int[] CellOf(int flat)
    {
        var cells = Cells;
        var result = new int[Dimension];
        for (int axis = 0; axis < Dimension; axis++)
        {
            result[axis] = flat % cells[axis];
            flat /= cells[axis];
        }
        return result;
    }

    /// <summary>The flat index of the cell containing an input position, or -1 outside the grid.</summary>
    public int FlatCellContaining(CropVoxel inputVoxel)
    {
        var cells = Cells;
        int flat = 0, scale = 1;
        for (int axis = 0; axis < Dimension; axis++)
        {
            int c = (int)Math.Floor((inputVoxel[axis] + 0.5) / Stride);
            if (c < 0 || c >= cells[axis]) return -1;
            flat += c * scale;
            scale *= cells[axis];
        }
        return flat;
    }
}
