using System.CommandLine;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.IO;

namespace Landmarks.Cli.Commands;

internal static class MergeCommand
{
    public static Command Create(CliConsole console)
    {
        var parts = new Argument<string[]>("PARTS") { Description = "Prediction CSVs of the shards (predict --shard K/N).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Prediction CSV to write, cases in order.", Required = true };
        var expected = new Option<string[]?>("--cases") { Description = "The inputs the shards were cut from (as for predict): every case they name must be in some part.", AllowMultipleArgumentsPerToken = true };
        var spacing = CommonOptions.Spacing();
        var command = new Command("merge", "Join the prediction CSVs of shards into one; a case in two parts is refused, and with --cases a missing case is named.")
            { parts, output, expected, spacing };
        command.SetAction(parse => console.Guard(() =>
        {
            var owner = new Dictionary<string, string>();
            var rows = new List<LandmarkPrediction>();
            int dimension = 2;
            foreach (string part in parse.GetValue(parts)!)
            {
                var partRows = PredictionCsv.Read(part);
                foreach (var caseId in partRows.Select(r => r.CaseId).Distinct())
                    if (!owner.TryAdd(caseId, part))
                        throw new InvalidFileException(part, $"case {caseId} is also in {owner[caseId]}: shards must not overlap");
                rows.AddRange(partRows);
                dimension = Math.Max(dimension, PredictionCsv.DimensionOf(part));
            }
            if (parse.GetValue(expected) is { Length: > 0 } inputs)
            {
                var missing = PredictCommand.Scans(inputs, CommonOptions.ParseSpacing(parse.GetValue(spacing)), null).Select(s => s.CaseId).Where(id => !owner.ContainsKey(id)).ToList();
                if (missing.Count > 0)
                    throw new CliUsageException($"{missing.Count} cases are in no part: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}");
            }
            string outPath = parse.GetValue(output)!;
            PredictionCsv.Write(rows.OrderBy(r => r.CaseId, StringComparer.Ordinal), outPath, dimension);
            console.Out.WriteLine($"wrote {outPath}: {owner.Count} cases from {parse.GetValue(parts)!.Length} parts");
            return CliConsole.Success;
        }));
        return command;
    }
}
