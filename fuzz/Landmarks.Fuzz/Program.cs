using Landmarks.Fuzz;
using Landmarks.Imaging.IO;
using SharpFuzz;

// landmarks-fuzz TARGET          read stdin as a file of TARGET (under afl-fuzz: every input it makes)
// landmarks-fuzz --seeds DIR     write each target's valid seed files to DIR/TARGET, each read back to prove it valid
// landmarks-fuzz --list          each target's name and the prefix of its files in tests/corpus/malformed
// A reader that refuses bad bytes with InvalidFileException did its job; any other exception, a hang or a crash is a finding.
if (args is ["--seeds", string seeds])
{
    foreach (var target in FuzzTarget.All)
    {
        string dir = Path.Combine(seeds, target.Name);
        Directory.CreateDirectory(dir);
        target.WriteSeeds(dir);
        foreach (string seed in Directory.GetFiles(dir)) target.Read(seed);
    }
    return 0;
}
if (args is ["--list"])
{
    foreach (var target in FuzzTarget.All) Console.WriteLine($"{target.Name}\t{target.CorpusPrefix}");
    return 0;
}
var chosen = args.Length == 1 ? FuzzTarget.All.FirstOrDefault(t => t.Name == args[0]) : null;
if (chosen is null)
{
    Console.Error.WriteLine($"usage: landmarks-fuzz TARGET | --seeds DIR; targets: {string.Join(", ", FuzzTarget.All.Select(t => t.Name))}");
    return 2;
}
string input = Path.Combine(Path.GetTempPath(), $"landmarks-fuzz-{Environment.ProcessId}{chosen.Extension}");
Fuzzer.OutOfProcess.Run(stream =>
{
    using (var file = File.Create(input)) stream.CopyTo(file);
    try
    {
        chosen.Read(input);
    }
    catch (InvalidFileException)
    {
    }
    finally
    {
        // afl-fuzz ends this process by a signal, never through a line after Run: each input cleans up after itself.
        File.Delete(input);
    }
});
return 0;
