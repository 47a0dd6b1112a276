#:project ../src/Landmarks.Cli/Landmarks.Cli.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
#:property ConcurrentGarbageCollection=false
// Two exported models on ONNX Runtime in one process, case by case in turn, which first alternating (docs/BENCHMARKS.md,
// the engines section):
// this machine's speed drifts by 10-20% over minutes, which one model after the other cannot tell from a difference
// between them. Per model the median, 10th and 90th percentile of Localizer.Locate's seconds per case (the image read
// apart, the first case left out), and the largest distance between the two models' landmarks.
// The garbage collector as the CLI sets it (not concurrent).
// Usage: dotnet run -c Release bench/onnx-ab.cs A.zip B.zip INPUTS...
using System.Diagnostics;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Inference;
using Landmarks.Onnx;

if (args.Length < 3) { Console.Error.WriteLine("usage: dotnet run -c Release bench/onnx-ab.cs A.zip B.zip INPUTS..."); return 2; }
Localizer[] localizers = [new(OnnxModel.Load(args[0])), new(OnnxModel.Load(args[1]))];
var seconds = new[] { new List<double>(), new List<double>() };
double largestMm = 0, sumMm = 0;
int landmarks = 0;
foreach (var scan in ScanInputs.Expand(args[2..], null))
{
    var image = ImageFile.Read(scan.ImagePath, new ImageReadOptions(scan.SpacingMm));
    var located = new IReadOnlyList<LocatedLandmark>[2];
    // Which goes first alternates: the first to prepare a freshly read image pays for bringing it into the caches.
    foreach (int m in seconds[0].Count % 2 == 0 ? new[] { 0, 1 } : [1, 0])
    {
        var clock = Stopwatch.StartNew();
        located[m] = localizers[m].Locate(image);
        seconds[m].Add(clock.Elapsed.TotalSeconds);
    }
    foreach (var (a, b) in located[0].Zip(located[1]))
    {
        double d = a.PositionMm.DistanceTo(b.PositionMm);
        largestMm = Math.Max(largestMm, d);
        sumMm += d;
        landmarks++;
    }
}
for (int m = 0; m < 2; m++)
{
    var v = seconds[m].Skip(1).Order().ToList();
    Console.WriteLine($"{Path.GetFileName(args[m])}: {v.Count} cases, located in {v[v.Count / 2]:0.000} s (median; 10th-90th percentile {v[v.Count / 10]:0.000}-{v[v.Count * 9 / 10]:0.000})");
}
Console.WriteLine($"the models' landmarks differ by {largestMm:0.0000} mm at most, {sumMm / landmarks:0.0000} mm on average over {landmarks}");
return 0;
