#:property PublishAot=false
// An independent check of the ISBI 2015 clinical measures (docs/BENCHMARKS.md): recomputes them from the annotation
// text files with textbook formulas (angles between rays, no code of the project) and compares them with what
// `landmarks measure --data MANIFEST --out CSV` wrote for the same observer. Then weighs the palatal plane's sign in ODI
// and APDI on the data: each indicator should follow what it indicates (ODI the overbite, APDI the overjet and ANB).
// Usage: dotnet run bench/isbi2015-measures.cs ISBI_DIR MEASURES_CSV [OBSERVER]   (OBSERVER: 400_senior, the default)
using System.Globalization;

if (args.Length < 2) { Console.Error.WriteLine("usage: dotnet run bench/isbi2015-measures.cs ISBI_DIR MEASURES_CSV [OBSERVER]"); return 2; }
string observer = args.Length > 2 ? args[2] : "400_senior";
const double MmPerPixel = 0.1;
var inv = CultureInfo.InvariantCulture;

(double X, double Y)[] Read(string folder, string id) => [.. File.ReadLines(Path.Combine(args[0], "AnnotationsByMD", folder, id + ".txt")).Take(19)
    .Select(l => l.Split(',')).Select(p => (double.Parse(p[0], inv) * MmPerPixel, double.Parse(p[1], inv) * MmPerPixel))];
static (double X, double Y) Sub((double X, double Y) a, (double X, double Y) b) => (a.X - b.X, a.Y - b.Y);
static double Dot((double X, double Y) a, (double X, double Y) b) => a.X * b.X + a.Y * b.Y;
static double Len((double X, double Y) a) => Math.Sqrt(Dot(a, a));
static double Angle((double X, double Y) u, (double X, double Y) v) => Math.Acos(Math.Clamp(Dot(u, v) / (Len(u) * Len(v)), -1, 1)) * 180 / Math.PI;

// The ISBI order: 1 sella, 2 nasion, 3 orbitale, 4 porion, 5 A point, 6 B point, 7 pogonion, 8 menton, 9 gnathion,
// 10 gonion, 11 lower incisal incision, 12 upper incisal incision, ..., 17 PNS, 18 ANS.
Dictionary<string, double> Measures((double X, double Y)[] p, out double palatal, out double overbite)
{
    var (s, n, or, po, a, b, me, go, li, ui, pns, ans) = (p[0], p[1], p[2], p[3], p[4], p[5], p[7], p[9], p[10], p[11], p[16], p[17]);
    var forward = Sub(or, po); forward = (forward.X / Len(forward), forward.Y / Len(forward));
    var down = (-forward.Y, forward.X);
    if (Dot(Sub(me, po), down) < 0) down = (-down.Item1, -down.Item2);
    var pp = Sub(ans, pns);
    palatal = Math.Atan2(Dot(pp, down), Dot(pp, forward)) * 180 / Math.PI;  // Frankfort horizontal to palatal plane, + when ANS lies lower
    overbite = Dot(Sub(ui, li), down);  // how far the upper incisor's edge lies below the lower one's
    double sna = Angle(Sub(s, n), Sub(a, n)), snb = Angle(Sub(s, n), Sub(b, n));
    return new()
    {
        ["ANB"] = sna - snb, ["SNB"] = snb, ["SNA"] = sna,
        ["ODI"] = Angle(Sub(a, b), Sub(go, me)) + palatal,              // A-B line to mandibular plane, plus the palatal plane angle
        ["APDI"] = Angle((-forward.X, -forward.Y), Sub(b, a)) + palatal, // facial angle + A-B plane angle = FH (backwards) to A->B
        ["FHI"] = Len(Sub(s, go)) / Len(Sub(n, me)),
        ["FMA"] = Angle(forward, Sub(me, go)),
        ["MW"] = Dot(Sub(ui, li), forward),
    };
}

var tool = File.ReadLines(args[1]).Skip(1).Select(l => l.Split(',')).ToDictionary(f => (f[0], f[1]), f => double.Parse(f[2], inv));
var worst = new Dictionary<string, double>();
var series = new Dictionary<string, List<double>> { ["ODI"] = [], ["APDI"] = [], ["palatal"] = [], ["overbite"] = [], ["MW"] = [], ["ANB"] = [] };
foreach (var id in tool.Keys.Select(k => k.Item1).Distinct().Order())
{
    var values = Measures(Read(observer, id), out double palatal, out double overbite);
    foreach (var (name, value) in values)
        worst[name] = Math.Max(worst.GetValueOrDefault(name), Math.Abs(value - tool[(id, name)]));
    foreach (var name in new[] { "ODI", "APDI", "MW", "ANB" }) series[name].Add(values[name]);
    series["palatal"].Add(palatal);
    series["overbite"].Add(overbite);
}
Console.WriteLine($"{series["ODI"].Count} cases of {observer}; largest difference from {Path.GetFileName(args[1])}: "
    + string.Join(", ", worst.Select(w => $"{w.Key} {w.Value.ToString("0.####", inv)}")));

static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
{
    double ma = a.Average(), mb = b.Average();
    return a.Zip(b).Sum(p => (p.First - ma) * (p.Second - mb)) / Math.Sqrt(a.Sum(x => (x - ma) * (x - ma)) * b.Sum(y => (y - mb) * (y - mb)));
}
// The other sign subtracts the palatal plane angle instead of adding it: the indicator minus twice the angle.
List<double> Flipped(string name) => [.. series[name].Zip(series["palatal"], (v, pp) => v - 2 * pp)];
Console.WriteLine($"palatal plane angle {series["palatal"].Average():0.00} ± {Math.Sqrt(series["palatal"].Select(v => v * v).Average() - Math.Pow(series["palatal"].Average(), 2)):0.00} degrees (+ when tilted down in front)");
foreach (var (indicator, target) in new[] { ("ODI", "overbite"), ("APDI", "MW"), ("APDI", "ANB") })
    Console.WriteLine($"correlation of {indicator} with {target}: {Correlation(series[indicator], series[target]):0.000} with the angle added (tilted down in front counts +), "
        + $"{Correlation(Flipped(indicator), series[target]):0.000} with it subtracted");
return 0;
