using System.Diagnostics;
using System.Globalization;
using Landmarks.Imaging.Datasets;
using Landmarks.Review;
using Microsoft.Playwright;

namespace Landmarks.Bench;

/// <summary>
/// The review page's speed as a user sees it, in headless chromium (Debian's): the time from opening the address to
/// the first case drawn (each run with a fresh server, so the image is read from disk), and, in a volume, the time from
/// a wheel step to the new slice drawn, on each of the three views.
/// </summary>
internal static class ReviewTiming
{
    private const int Openings = 5, SliceSteps = 40;

    public static async Task<int> Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: Landmarks.Bench review PREDICTIONS SCREENSHOT INPUTS...");
            return 1;
        }
        var scans = ScanInputs.Expand(args[2..], null);
        string output = Path.Combine(Path.GetTempPath(), $"landmarks-review-bench-{Guid.NewGuid():N}.csv");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var firstCase = new List<double>();
        for (int run = 0; run < Openings; run++)
        {
            var session = ReviewSession.Open(scans, args[0], output);
            await using var server = await ReviewServer.StartAsync(session);
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
            await page.GotoAsync(server.PageAddress.ToString());
            await page.WaitForFunctionAsync("() => window.landmarksReview && window.landmarksReview.timings.firstCaseMs !== null", null, new() { Timeout = 60_000 });
            firstCase.Add(await page.EvaluateAsync<double>("() => window.landmarksReview.timings.firstCaseMs"));
            string caseId = await page.EvaluateAsync<string>("() => window.landmarksReview.currentCase()");
            if (run == 0)
                Console.WriteLine($"case {caseId}: {session.Find(caseId)!.Scan.ImagePath}");
            if (run == Openings - 1)
            {
                // Where the time goes: each request of the page, from navigation start.
                var requests = await page.EvaluateAsync<System.Text.Json.JsonElement>(
                    "() => performance.getEntriesByType('resource').map(e => [e.name.replace(location.origin, '').replace(/token=[0-9a-f]+/, 'token=...'), e.startTime, e.responseEnd])");
                foreach (var r in requests.EnumerateArray())
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r[1].GetDouble(),6:0} -> {r[2].GetDouble(),6:0} ms  {r[0].GetString()}"));
                await page.EvaluateAsync("() => window.landmarksReview.settled()");
                if (session.Dimension == 3) await TimeSlices(page);
                await page.ScreenshotAsync(new() { Path = args[1] });
                Console.WriteLine($"screenshot: {args[1]}");
            }
            await page.CloseAsync();
        }
        File.Delete(output);
        Console.WriteLine($"first case on screen (navigation start to first picture drawn, {Openings} fresh servers): {Summary(firstCase)}");
        return 0;
    }

    private static async Task TimeSlices(IPage page)
    {
        for (int view = 0; view < 3; view++)
        {
            var box = await page.EvaluateAsync<System.Text.Json.JsonElement>("v => window.landmarksReview.viewBox(v)", view);
            await page.Mouse.MoveAsync((float)(box.GetProperty("x").GetDouble() + 30), (float)(box.GetProperty("y").GetDouble() + 30));
            var times = new List<double>();
            for (int step = 0; step < SliceSteps; step++)
            {
                await page.Mouse.WheelAsync(0, step < SliceSteps / 2 ? -100 : 100);
                await page.EvaluateAsync("() => window.landmarksReview.settled()");
                times.Add(await page.EvaluateAsync<double>("() => window.landmarksReview.timings.lastSliceMs"));
            }
            Console.WriteLine($"view {view}: slice change (wheel step to picture drawn, {SliceSteps} steps): {Summary(times)}");
        }
    }

    private static string Summary(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"median {sorted[sorted.Count / 2]:0} ms, max {sorted[^1]:0} ms");
    }
}
