#:project ../src/Landmarks.Cli/Landmarks.Cli.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// Where a model's systematic shift arises (docs/BENCHMARKS.md, the 3D demo): on a manifest's cases, the mean signed error
// (estimate minus reference, world mm) and the mean radial error after each step of Localizer.Locate: the global stage,
// the local stage's start, the local stage, the shape blend; and the local stage started from the reference itself (one
// pass, turned to the pose fitted to the start, as inference turns it), which an unbiased local network leaves in place.
// The steps are Locate's, called one by one; landmarks the reference marks present are taken as present (Locate asks the
// presence threshold), so a model that calls some absent is shown as if it called none absent.
// Usage: dotnet run -c Release bench/stage-shifts.cs MODEL.lmk MANIFEST.json [CASES]   (default: the first 60 cases)
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Geometry;
using Landmarks.Inference;
using Landmarks.Inference.Stages;
using Landmarks.Learning.Model;

if (args.Length < 2) { Console.Error.WriteLine("usage: dotnet run -c Release bench/stage-shifts.cs MODEL.lmk MANIFEST.json [CASES]"); return 2; }
using var model = TorchModel.Load(args[0]);
var manifest = DatasetManifest.Load(args[1]);
int count = args.Length > 2 ? int.Parse(args[2]) : 60;
var localizer = new Localizer(model.ToInference(TorchSharp.torch.CPU));
string[] steps = ["global stage", "local start", "local stage", "final (blend as chosen)", "local from the reference"];
var names = model.LandmarkNames;
var signed = new Vec3[steps.Length, names.Count];
var radial = new double[steps.Length, names.Count];
var seen = new int[names.Count];
bool[]? chosen = model.Metadata.Stages?.Select(s => s.UseLocal).ToArray();
foreach (var c in manifest.Cases.Take(count))
{
    var loaded = manifest.LoadCase(c);
    var (global, local) = StageImage.PrepareBoth(loaded.Image, model.Config.Global.SpacingMm, model.Config.Local.SpacingMm);
    var coarse = localizer.GlobalStage(global);
    bool[] usable = [.. loaded.Reference.Landmarks.Select(l => l.PositionMm is not null)];
    var start = localizer.Start(coarse.PositionsMm, usable);
    var refined = localizer.Refine(local, start.PositionsMm, start.PoseRotation, model.Metadata.LocalPassesUsed, chosen);
    var final = model.Metadata.ShapeBlend ? localizer.BlendWithShape(refined, usable) : refined;
    var reference = loaded.Reference.Landmarks.Select(l => l.PositionMm ?? default).ToArray();
    var fromReference = localizer.Refine(local, reference, start.PoseRotation, 1);
    WorldMm[][] estimates = [coarse.PositionsMm, start.PositionsMm, refined, final, fromReference];
    for (int l = 0; l < names.Count; l++)
    {
        if (!usable[l]) continue;
        seen[l]++;
        for (int s = 0; s < steps.Length; s++)
        {
            var error = estimates[s][l].AsVector() - reference[l].AsVector();
            signed[s, l] += error;
            radial[s, l] += error.Length;
        }
    }
}
string Format(Vec3 v) => $"{v.X:+0.00;-0.00} {v.Y:+0.00;-0.00} {v.Z:+0.00;-0.00}";
Console.WriteLine($"{seen.Max()} cases; per step: MRE (mm), mean signed error x y z (mm, world); then per landmark");
int all = seen.Sum();
for (int s = 0; s < steps.Length; s++)
{
    var total = Enumerable.Range(0, names.Count).Aggregate(Vec3.Zero, (a, l) => a + signed[s, l]);
    double mre = Enumerable.Range(0, names.Count).Sum(l => radial[s, l]) / all;
    Console.WriteLine($"{steps[s],-26} MRE {mre:0.000}  shift {Format(total / all)}");
    foreach (int l in Enumerable.Range(0, names.Count).Where(l => seen[l] > 0))
        Console.WriteLine($"    {names[l],-28} MRE {radial[s, l] / seen[l]:0.000}  shift {Format(signed[s, l] / seen[l])}");
}
return 0;
