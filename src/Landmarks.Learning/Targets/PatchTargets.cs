using Landmarks.Inference.Patches;
using Landmarks.Inference.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Targets;

/// <summary>
/// Training targets of a batch: for each sample and landmark, class 1 for the one cell containing
/// the landmark (none when it is outside the input or hidden), the compressed displacement from
/// every cell's centre to the landmark, and which cells are near it (<see cref="NearCells"/>). A landmark
/// absent from the image has no targets (mask 0).
/// </summary>
public sealed record PatchTargets(Tensor Classes, Tensor CompressedDisplacements, Tensor Near, Tensor Mask) : IDisposable
{
    /// <summary>A cell is near its landmark when its centre lies within this many cells of it along every axis: the 3 or 4
    /// cells per axis around it, among which aggregation finds its most probable cells and takes their votes.</summary>
    public const double NearCells = 1.5;

    /// <param name="landmarksVoxel">[sample][landmark] position in the input crop's voxels, null when absent.</param>
    /// <param name="hidden">[sample][landmark] true where the landmark lies in a blanked-out part of the input: as
    /// for a landmark outside it, no cell holds it and the displacements towards it are still learnt.</param>
    public static PatchTargets Build(PatchGrid grid, CropVoxel?[][] landmarksVoxel, bool[][]? hidden = null)
    {
        int batch = landmarksVoxel.Length, landmarks = landmarksVoxel[0].Length, cells = grid.CellCount, d = grid.Dimension;
        var classes = new float[batch * landmarks * cells];
        var displacements = new float[batch * landmarks * d * cells];
        var near = new float[batch * landmarks * cells];
        double nearVoxels = NearCells * grid.Stride;
        var mask = new float[batch * landmarks];
        var centres = new CropVoxel[cells];
        for (int c = 0; c < cells; c++) centres[c] = grid.CentreOfCell(c);
        for (int b = 0; b < batch; b++)
            for (int l = 0; l < landmarks; l++)
            {
                if (landmarksVoxel[b][l] is not CropVoxel p) continue;
                mask[b * landmarks + l] = 1;
                int inside = hidden?[b][l] == true ? -1 : grid.FlatCellContaining(p);
                if (inside >= 0) classes[(b * landmarks + l) * cells + inside] = 1;
                int baseIndex = (b * landmarks + l) * d * cells;
                for (int axis = 0; axis < d; axis++)
                    for (int c = 0; c < cells; c++)
                        displacements[baseIndex + axis * cells + c] = (float)SignedLog.Compress(p[axis] - centres[c][axis]);
                for (int c = 0; c < cells; c++)
                    if (Enumerable.Range(0, d).All(axis => Math.Abs(p[axis] - centres[c][axis]) <= nearVoxels)) near[(b * landmarks + l) * cells + c] = 1;
            }
        long[] cellShape = grid.TensorShape;
        return new PatchTargets(
            tensor(classes, [batch, landmarks, .. cellShape]),
            tensor(displacements, [batch, landmarks, d, .. cellShape]),
            tensor(near, [batch, landmarks, .. cellShape]),
            tensor(mask, [batch, landmarks]));
    }

    public PatchTargets To(Device device) => device.type == DeviceType.CPU ? this : new(Classes.to(device), CompressedDisplacements.to(device), Near.to(device), Mask.to(device));

    public void Dispose()
    {
        Classes.Dispose();
        CompressedDisplacements.Dispose();
        Near.Dispose();
        Mask.Dispose();
    }
}
