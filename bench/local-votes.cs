#:project ../src/Landmarks.Cli/Landmarks.Cli.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// How precise a model's local network is within a cell (docs/BENCHMARKS.md, the displacement loss near the landmark): on
// a manifest's cases, each landmark's local crop is centred within 1.5 voxels of the reference (a random offset per
// crop, seed 1) and turned to the pose fitted to the case's global estimates, as inference turns it. Printed: how the
// cell holding the landmark ranks by probability, how far each cell's vote (its centre plus its displacement) falls
// from the reference by the cell's distance (cells, along the farthest axis) from that cell, and the slope of the holding
// cell's displacement against the landmark's true offset from its centre: 1 where the network places the landmark within
// its cell, 0 where it only says which cell.
// Usage: dotnet run -c Release bench/local-votes.cs MODEL.lmk MANIFEST.json [CASES]   (default: the first 20 cases)
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Inference;
using Landmarks.Inference.Model;
using Landmarks.Inference.Patches;
using Landmarks.Inference.Stages;
using Landmarks.Learning.Model;

if (args.Length < 2) { Console.Error.WriteLine("usage: dotnet run -c Release bench/local-votes.cs MODEL.lmk MANIFEST.json [CASES]"); return 2; }
using var torchModel = TorchModel.Load(args[0]);
var manifest = DatasetManifest.Load(args[1]);
int count = args.Length > 2 ? int.Parse(args[2]) : 20;
var model = torchModel.ToInference(TorchSharp.torch.CPU);
var localizer = new Localizer(model);
int d = model.Config.Dimension;
int[] cropSize = [.. Enumerable.Repeat(model.Config.Local.CropSize, d)];
var grid = new PatchGrid(cropSize, LocalStageConfig.OutputStride);
int farthest = grid.Cells.Max();
var voteErrorSum = new double[farthest];
var cellsAt = new int[farthest];
double holdingCentreError = 0, rankSum = 0;
var offsetTimesDisplacement = new double[d];
var offsetSquared = new double[d];
int crops = 0;
var rng = new Random(1);
foreach (var c in manifest.Cases.Take(count))
{
    var loaded = manifest.LoadCase(c);
    var (global, local) = StageImage.PrepareBoth(loaded.Image, model.Config.Global.SpacingMm, model.Config.Local.SpacingMm);
    bool[] present = [.. loaded.Reference.Landmarks.Select(l => l.PositionMm is not null)];
    var start = localizer.Start(localizer.GlobalStage(global).PositionsMm, present);
    var axes = local.CropAxes(start.PoseRotation);
    for (int l = 0; l < present.Length; l++)
    {
        if (loaded.Reference.Landmarks[l].PositionMm is not WorldMm referenceMm) continue;
        var reference = local.ToVoxel(referenceMm);
        double Offset() => (2 * rng.NextDouble() - 1) * 1.5;
        var crop = CropTransform.Around(StageVoxel.FromVector(reference.AsVector() + new Vec3(Offset(), Offset(), d == 3 ? Offset() : 0)), cropSize, axes);
        var output = model.Local.Run([crop.Sample(local)], cropSize);
        var truth = crop.ToCrop(reference);
        int holding = grid.FlatCellContaining(truth);
        int[] holdingCell = grid.CellOf(holding);
        double Logit(int cell) => output.Logit(0, l, cell);
        rankSum += Enumerable.Range(0, grid.CellCount).Count(cell => Logit(cell) > Logit(holding));
        var centre = grid.CentreOfCell(holding);
        for (int axis = 0; axis < d; axis++)
        {
            double offset = truth[axis] - centre[axis];
            offsetTimesDisplacement[axis] += offset * SignedLog.Expand(output.CompressedDisplacement(0, l, axis, holding));
            offsetSquared[axis] += offset * offset;
        }
        holdingCentreError += Math.Sqrt(Enumerable.Range(0, d).Sum(axis => Math.Pow(truth[axis] - centre[axis], 2)));
        for (int cell = 0; cell < grid.CellCount; cell++)
        {
            int[] at = grid.CellOf(cell);
            int distance = Enumerable.Range(0, d).Max(axis => Math.Abs(at[axis] - holdingCell[axis]));
            var cellCentre = grid.CentreOfCell(cell);
            voteErrorSum[distance] += Math.Sqrt(Enumerable.Range(0, d).Sum(axis =>
                Math.Pow(cellCentre[axis] + SignedLog.Expand(output.CompressedDisplacement(0, l, axis, cell)) - truth[axis], 2)));
            cellsAt[distance]++;
        }
        crops++;
    }
}
Console.WriteLine($"{crops} crops of {count} cases; errors in local voxels ({model.Config.Local.SpacingMm:0.###} mm)");
Console.WriteLine($"cells more probable than the one holding the landmark: {rankSum / crops:0.00} on average");
Console.WriteLine($"the holding cell's centre: {holdingCentreError / crops:0.000} from the landmark");
Console.WriteLine($"slope of its displacement on the landmark's offset from its centre, per axis: {string.Join(" ", Enumerable.Range(0, d).Select(a => (offsetTimesDisplacement[a] / offsetSquared[a]).ToString("0.00")))}");
for (int k = 0; k < farthest; k++)
    if (cellsAt[k] > 0) Console.WriteLine($"votes of cells {k} from it: error {voteErrorSum[k] / cellsAt[k]:0.000} ({cellsAt[k]} cells)");
return 0;
