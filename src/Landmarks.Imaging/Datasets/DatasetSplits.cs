namespace Landmarks.Imaging.Datasets;

/// <summary>A named part of a dataset for training and the cases it is tested on.</summary>
public sealed record DatasetSplit(string Name, DatasetManifest Train, DatasetManifest Test);

/// <summary>
/// Splits of a manifest into training and test cases: the first N, a seeded random share, or K
/// cross-validation folds. Random splits shuffle the cases sorted by id with a seeded Fisher-Yates
/// shuffle, so the same seed gives the same split on every machine, whatever the manifest's order.
/// </summary>
public static class DatasetSplits
{
    /// <summary>The first <paramref name="count"/> cases in manifest order for training, the rest for testing.</summary>
    public static DatasetSplit First(DatasetManifest manifest, int count)
    {
        if (count < 1 || count >= manifest.Cases.Count)
            throw new ArgumentException($"the number of training cases must be between 1 and {manifest.Cases.Count - 1}, got {count}");
        return Make(manifest, manifest.Name, [.. manifest.Cases.Take(count)], [.. manifest.Cases.Skip(count)]);
    }

    /// <summary>A seeded random <paramref name="testShare"/> of the cases (at least one) for testing.</summary>
    public static DatasetSplit Random(DatasetManifest manifest, double testShare, int seed)
    {
        if (!(testShare > 0 && testShare < 1)) throw new ArgumentException($"the share of test cases must be between 0 and 1, got {testShare}");
        if (manifest.Cases.Count < 2) throw new ArgumentException($"a split needs at least 2 cases, the manifest has {manifest.Cases.Count}");
        var shuffled = Shuffled(manifest, seed);
        int test = Math.Clamp((int)Math.Round(shuffled.Count * testShare), 1, shuffled.Count - 1);
        return Make(manifest, manifest.Name, ById(shuffled.Skip(test)), ById(shuffled.Take(test)));
    }

    /// <summary>K folds: the shuffled cases dealt into K test groups of nearly equal size; fold k trains on the others.</summary>
    public static IReadOnlyList<DatasetSplit> Folds(DatasetManifest manifest, int folds, int seed)
    {
        if (folds < 2) throw new ArgumentException($"cross-validation needs at least 2 folds, got {folds}");
        if (folds > manifest.Cases.Count) throw new ArgumentException($"{folds} folds need at least {folds} cases, the manifest has {manifest.Cases.Count}");
        var shuffled = Shuffled(manifest, seed);
        return [.. Enumerable.Range(0, folds).Select(k =>
        {
            // Contiguous runs of the shuffled order: fold sizes differ by at most one case.
            int from = k * shuffled.Count / folds, to = (k + 1) * shuffled.Count / folds;
            var test = shuffled.Skip(from).Take(to - from).ToList();
            return Make(manifest, $"{manifest.Name}-fold{k + 1}", ById(shuffled.Except(test)), ById(test));
        })];
    }

    private static DatasetSplit Make(DatasetManifest manifest, string name, List<DatasetCase> train, List<DatasetCase> test) =>
        new(name, manifest with { Name = name + "-train", Cases = train }, manifest with { Name = name + "-test", Cases = test });

    private static List<DatasetCase> Shuffled(DatasetManifest manifest, int seed)
    {
        var cases = ById(manifest.Cases);
        var rng = new System.Random(seed);
        for (int n = cases.Count - 1; n > 0; n--)
        {
            int k = rng.Next(n + 1);
            (cases[n], cases[k]) = (cases[k], cases[n]);
        }
        return cases;
    }

    private static List<DatasetCase> ById(IEnumerable<DatasetCase> cases) => [.. cases.OrderBy(c => c.Id, StringComparer.Ordinal)];
}
