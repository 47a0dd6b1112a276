using System.Globalization;
using Landmarks.Bench;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;

// bench/Landmarks.Bench phantoms DIR COUNT SIZE SPACING SEED
//   writes COUNT phantom volumes of SIZE voxels (x,y,z) and SPACING mm (x,y,z), stored as int16 NIfTI (CT-like values),
//   their landmarks (CSV) and a manifest DIR/phantoms.json: clinical-size data for bench/clinical-ct.sh.
// bench/Landmarks.Bench review PREDICTIONS SCREENSHOT INPUTS...
//   times the review page in headless chromium: first case on screen, and slice changes in a volume.
if (args.Length > 0 && args[0] == "review") return await ReviewTiming.Run(args[1..]);
if (args.Length != 6 || args[0] != "phantoms")
{
    Console.Error.WriteLine("usage: Landmarks.Bench phantoms DIR COUNT X,Y,Z SX,SY,SZ SEED | review PREDICTIONS SCREENSHOT INPUTS...");
    return 1;
}
string directory = args[1];
int count = int.Parse(args[2], CultureInfo.InvariantCulture);
int[] size = [.. args[3].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
double[] spacing = [.. args[4].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
var rng = new Random(int.Parse(args[5], CultureInfo.InvariantCulture));
Directory.CreateDirectory(directory);
var cases = new List<DatasetCase>();
for (int n = 0; n < count; n++)
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var phantom = Phantoms.Generate(3, rng, new GridSize(size[0], size[1], size[2]), new Vec3(spacing[0], spacing[1], spacing[2]));
    // CT-like integers: the phantom's 0..1000 scale shifted so air is about -1000 HU and bone about 1000.
    var voxels = phantom.Image.Voxels;
    for (int v = 0; v < voxels.Length; v++) voxels[v] = Math.Clamp(MathF.Round(2 * voxels[v] - 1100), -1024, 3071);
    string id = $"ct-{n:000}";
    ImageFile.Write(phantom.Image, Path.Combine(directory, id + ".nii.gz"));
    LandmarkFile.Write(phantom.Landmarks, Path.Combine(directory, id + ".csv"));
    cases.Add(new DatasetCase(id, id + ".nii.gz", id + ".csv"));
    Console.WriteLine($"{id}: {size[0]}x{size[1]}x{size[2]} voxels written in {clock.Elapsed.TotalSeconds:0.0} s");
}
var manifest = new DatasetManifest("phantoms", Phantoms.LandmarkNames, cases) { BaseDirectory = Path.GetFullPath(directory) };
manifest.Save(Path.Combine(directory, "phantoms.json"));
return 0;
