#:project ../src/Landmarks.Cli/Landmarks.Cli.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
#:property ConcurrentGarbageCollection=false
// Where Localizer.Locate's time goes (docs/BENCHMARKS.md, the engines section): on a manifest's cases, with an exported
// model on ONNX Runtime, the milliseconds of each step of Locate called one by one (stage images, global stage, local
// start, local stage, shape blend), and the networks' own calls timed apart (the global network once on the stage
// image's padded size, the local one on as many crops as the local stage makes). Medians over the cases after the first.
// The garbage collector as the CLI sets it (not concurrent).
// Usage: dotnet run -c Release bench/locate-phases.cs MODEL.zip MANIFEST.json [CASES]   (default: 30 cases; more go round the
// manifest again)
using System.Diagnostics;
using Landmarks.Imaging.Datasets;
using Landmarks.Inference;
using Landmarks.Inference.Stages;
using Landmarks.Inference.Model;
using Landmarks.Onnx;

if (args.Length < 2) { Console.Error.WriteLine("usage: dotnet run -c Release bench/locate-phases.cs MODEL.zip MANIFEST.json [CASES]"); return 2; }
var loaded = OnnxModel.Load(args[0]);
var globalCalls = new List<(string Size, double Ms)>();
var model = new LocalizerModel(loaded.Metadata, new Timed(loaded.Global, globalCalls), loaded.Local, loaded.Template);
var manifest = DatasetManifest.Load(args[1]);
int count = args.Length > 2 ? int.Parse(args[2]) : 30;
var localizer = new Localizer(model);
bool[]? chosen = model.Metadata.Stages?.Select(s => s.UseLocal).ToArray();
string[] steps = ["stage images", "global stage", "local start", "local stage", "shape blend", "total", "global network x1", "local network"];
var times = steps.ToDictionary(s => s, _ => new List<double>());
var clock = new Stopwatch();
T Timed<T>(string step, Func<T> work) { clock.Restart(); var r = work(); times[step].Add(clock.Elapsed.TotalMilliseconds); return r; }
foreach (var c in Enumerable.Range(0, count).Select(n => manifest.Cases[n % manifest.Cases.Count]))
{
    var image = manifest.LoadCase(c).Image;
    var total = Stopwatch.StartNew();
    var (global, local) = Timed("stage images", () => StageImage.PrepareBoth(image, model.Config.Global.SpacingMm, model.Config.Local.SpacingMm));
    var coarse = Timed("global stage", () => localizer.GlobalStage(global));
    bool[] present = [.. coarse.Presence.Select(p => p >= localizer.PresenceThreshold)];
    var start = Timed("local start", () => localizer.Start(coarse.PositionsMm, present));
    var refined = Timed("local stage", () => localizer.Refine(local, start.PositionsMm, start.PoseRotation, localizer.LocalPasses, chosen));
    Timed("shape blend", () => model.Metadata.ShapeBlend ? localizer.BlendWithShape(refined, present) : refined);
    times["total"].Add(total.Elapsed.TotalMilliseconds);
    int stride = model.Config.Global.Shape.OutputStride;
    int[] padded = [.. global.Size.Select(n => (n + stride - 1) / stride * stride)];
    var input = new float[padded.Aggregate(1, (a, b) => a * b)];
    Timed("global network x1", () => model.Global.Run([input], padded));
    int size = model.Config.Local.CropSize, crops = chosen?.Count(u => u) ?? coarse.Presence.Length;
    int[] cropSize = [.. Enumerable.Repeat(size, global.Dimension)];
    var crop = new float[cropSize.Aggregate(1, (a, b) => a * b)];
    Timed("local network", () => model.Local.Run([.. Enumerable.Repeat(crop, crops * (localizer.LocalPasses == 2 ? 1 + 2 * global.Dimension : 1))], cropSize));
}
Console.WriteLine($"{times["total"].Count - 1} cases after the first; milliseconds, median (min-max)");
foreach (var step in steps)
{
    var v = times[step].Skip(1).Order().ToList();
    Console.WriteLine($"{step,-20} {v[v.Count / 2],7:0.0}  ({v[0]:0.0}-{v[^1]:0.0}), mean {v.Average():0.0}");
}
foreach (var group in globalCalls.Skip(3).GroupBy(c => c.Size))
{
    var v = group.Select(c => c.Ms).Order().ToList();
    Console.WriteLine($"global calls on {group.Key}: {v.Count}, median {v[v.Count / 2]:0.0} ms");
}
return 0;

sealed class Timed(IPatchNetwork network, List<(string Size, double Ms)> calls) : IPatchNetwork
{
    public PatchOutput Run(IReadOnlyList<float[]> inputs, int[] size)
    {
        var clock = Stopwatch.StartNew();
        var output = network.Run(inputs, size);
        calls.Add((string.Join("x", size), clock.Elapsed.TotalMilliseconds));
        return output;
    }
}
