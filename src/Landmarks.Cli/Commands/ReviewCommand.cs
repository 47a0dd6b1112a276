using System.CommandLine;
using System.Net;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Review;

namespace Landmarks.Cli.Commands;

internal static class ReviewCommand
{
    public static Command Create(CliConsole console)
    {
        var inputs = new Argument<string[]>("INPUTS") { Description = "The images predicted, as given to predict: images, folders or dataset manifests (a manifest's landmarks are shown as the reference).", Arity = ArgumentArity.OneOrMore };
        var predictions = new Option<string>("--pred") { Description = "Prediction CSV from predict; never changed.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Reviewed CSV: predict's columns plus corrected and the original position; saved at every correction, and resumed from when it exists.", Required = true };
        var port = new Option<int>("--port") { Description = "Port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 0 };
        var host = new Option<string>("--host") { Description = "Address to bind. Only this computer can connect by default; another address opens the review to the network.", DefaultValueFactory = _ => "127.0.0.1" };
        var markups = new Option<string?>("--mrk") { Description = "Keep one 3D Slicer .mrk.json per case in this folder, updated at every correction." };
        var spacing = CommonOptions.Spacing();
        var command = new Command("review", "Review and correct predicted landmarks in a browser: a local server that prints its address and runs until Ctrl+C.")
            { inputs, predictions, output, port, host, markups, spacing };
        command.SetAction(parse => console.Guard(() =>
        {
            string bind = parse.GetValue(host)!;
            if (parse.GetValue(port) is < 0 or > 65535) throw new CliUsageException($"--port {parse.GetValue(port)}: expected 0 to 65535");
            if (!IsLoopback(bind))
                console.Warn($"--host {bind}: the review is open to the network; anyone with the printed address can see these images and change their landmarks");
            var scans = PredictCommand.Scans(parse.GetValue(inputs)!, CommonOptions.ParseSpacing(parse.GetValue(spacing)), null);
            var session = ReviewSession.Open(scans, parse.GetValue(predictions)!, parse.GetValue(output)!, References(parse.GetValue(inputs)!, console));
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var server = ReviewServer.StartAsync(session, bind, parse.GetValue(port), parse.GetValue(markups)).GetAwaiter().GetResult();
                console.Out.WriteLine($"reviewing {session.Cases.Count} cases; corrections go to {parse.GetValue(output)}");
                console.Out.WriteLine($"open {server.PageAddress}");
                console.Out.WriteLine("press Ctrl+C to stop");
                console.Out.Flush();
                server.WaitForShutdownAsync(stop.Token).GetAwaiter().GetResult();
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            finally { Console.CancelKeyPress -= onCancel; }
            console.Out.WriteLine($"stopped; {session.Cases.Sum(c => c.Landmarks.Count(l => l.Corrected))} landmarks corrected in {parse.GetValue(output)}");
            return CliConsole.Success;
        }));
        return command;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The reference landmarks of the manifests among the inputs, by case id.</summary>
    private static Dictionary<string, LandmarkSet> References(string[] inputs, CliConsole console)
    {
        var references = new Dictionary<string, LandmarkSet>();
        foreach (string input in inputs.Where(i => i.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
        {
            var manifest = DatasetManifest.Load(input);
            console.Out.WriteLine($"reading the reference landmarks of {manifest.Cases.Count} cases in {input}");
            foreach (var c in manifest.Cases) references[c.Id] = manifest.ReadReference(c);
        }
        return references;
    }
}
