using Landmarks.Tests;
using static Landmarks.Cli.Tests.CliRunner;

namespace Landmarks.Cli.Tests;

/// <summary>
/// The malformed-file corpus (tests/corpus/malformed, made by tests/corpus/make-corpus.cs): every file is refused by the
/// command that reads it, with exit 1 and one line naming the file and the reason, never exit 70 and never a hang.
/// </summary>
public class CorpusTests
{
    private static readonly string Corpus = Path.Combine(Repository.Root, "tests", "corpus", "malformed");

    /// <summary>expected.tsv: file, the command that reads it ({file}, {corpus} and {out} filled in), a fragment of the reason.</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Corpus, "expected.tsv")).Skip(1))
        {
            var cells = line.Split('\t');
            cases.Add(cells[0], cells[1], cells[2]);
        }
        return cases;
    }

    [Fact]
    public void The_corpus_is_large_and_every_file_has_an_expectation()
    {
        var files = Directory.GetFiles(Corpus).Select(f => Path.GetFileName(f)).Where(f => f != "expected.tsv").Order().ToList();
        var expected = Cases().Select(row => (string)row[0]).Order().ToList();
        Assert.True(files.Count >= 80, $"{files.Count} files");
        Assert.Equal(files, expected);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_malformed_file_is_refused_with_its_reason(string file, string command, string reason)
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(Corpus, file);
        var args = command.Split(' ').Select(a => a.Replace("{file}", path).Replace("{corpus}", Corpus).Replace("{out}", dir.Path)).ToArray();
        var run = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = Run(args);
            return (result, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
        });
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, $"{command} on {file} did not end within 30 s");
        var ((code, _, error), allocated) = await run;
        Assert.True(allocated < 256L << 20, $"{allocated >> 20} MB allocated before refusing {file}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.Single(lines);
        Assert.Contains(file, lines[0]);
        Assert.Contains(reason, lines[0], StringComparison.OrdinalIgnoreCase);
    }
}
