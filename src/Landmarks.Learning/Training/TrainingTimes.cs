using System.Diagnostics;

namespace Landmarks.Learning.Training;

/// <summary>Where the minutes of a training run went, by kind of work: for the log only, so that the same seed still
/// writes the same model bytes.</summary>
public sealed class TrainingTimes
{
    public const string Loading = "data preparation";
    public const string Batches = "batches";
    public const string Global = "global steps";
    public const string Local = "local steps";
    public const string Validation = "validation";
    public const string Checkpoints = "checkpoints";
    public const string Calibration = "presence calibration";
    private static readonly string[] Order = [Loading, Batches, Global, Local, Validation, Checkpoints, Calibration];

    private readonly Dictionary<string, TimeSpan> _spent = [];

    public T Measure<T>(string kind, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        try { return work(); }
        finally { Add(kind, clock.Elapsed); }
    }

    public void Measure(string kind, Action work) => Measure<bool>(kind, () => { work(); return true; });

    public void Add(string kind, TimeSpan time) => _spent[kind] = _spent.GetValueOrDefault(kind) + time;

    public TimeSpan this[string kind] => _spent.GetValueOrDefault(kind);

    /// <summary>One line: each kind's minutes and share of the total.</summary>
    public string Describe()
    {
        double total = _spent.Values.Sum(t => t.TotalMinutes);
        var parts = Order.Where(_spent.ContainsKey).Select(k => $"{k} {_spent[k].TotalMinutes:0.0} ({100 * _spent[k].TotalMinutes / Math.Max(total, 1e-9):0}%)");
        return $"minutes: {string.Join(", ", parts)}; {total:0.0} in all";
    }
}
