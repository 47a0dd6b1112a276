using System.Text.Json;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Microsoft.Playwright;

namespace Landmarks.Review.Tests;

/// <summary>The review page in a real browser: Debian's chromium driven by Playwright (its own browser download is not
/// used). Skipped where chromium is not installed; .ci/run installs it.</summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium)) return;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private async Task<IPage> Open(ReviewServer server)
    {
        Skip.If(_browser is null, $"{Chromium} is not installed");
        var page = await _browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync(server.PageAddress.ToString());
        await Settled(page);
        return page;
    }

    private static async Task Settled(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.landmarksReview && window.landmarksReview.currentCase() && window.landmarksReview.mmPerScreenPixel(0) > 0");
        await page.EvaluateAsync("() => window.landmarksReview.settled()");
    }

    private static async Task<(double X, double Y, bool OnView)> Mark(IPage page, string name, int view = 0)
    {
        var mark = await page.EvaluateAsync<JsonElement>("([name, view]) => window.landmarksReview.markOnPage(name, view)", new object[] { name, view });
        return (mark.GetProperty("x").GetDouble(), mark.GetProperty("y").GetDouble(), mark.GetProperty("onView").GetBoolean());
    }

    private static async Task Drag(IPage page, (double X, double Y, bool) from, double dx, double dy)
    {
        await page.Mouse.MoveAsync((float)from.X, (float)from.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(from.X + dx / 2), (float)(from.Y + dy / 2), new() { Steps = 4 });
        await page.Mouse.MoveAsync((float)(from.X + dx), (float)(from.Y + dy), new() { Steps = 4 });
        await page.Mouse.UpAsync();
        await Settled(page);
    }

    private static LandmarkPrediction Saved(ReviewScene scene, string caseId, string name) =>
        PredictionCsv.Read(scene.OutputPath).Single(r => r.CaseId == caseId && r.Landmark == name);

    [SkippableFact]
    public async Task Dragging_moves_the_landmark_by_the_screen_distance_and_corrections_survive_a_reload()
    {
        using var scene = new ReviewScene(2);
        await using var server = await ReviewServer.StartAsync(scene.Open());
        var page = await Open(server);
        Assert.Equal("ceph-1", await page.EvaluateAsync<string>("() => window.landmarksReview.currentCase()"));

        double scale = await page.EvaluateAsync<double>("() => window.landmarksReview.mmPerScreenPixel(0)");
        var a = await Mark(page, "A");
        await Drag(page, a, 40, -25);
        var moved = Saved(scene, "ceph-1", "A").PositionMm!.Value - ReviewScene.A2D;
        // The picture's x and y run along world x and y: the move is the drag times the displayed scale.
        Assert.InRange(moved.X, (40 - 0.5) * scale, (40 + 0.5) * scale);
        Assert.InRange(moved.Y, (-25 - 0.5) * scale, (-25 + 0.5) * scale);

        // Zoomed in, the same drag is a smaller move in the world.
        var b = await Mark(page, "B");
        await page.Mouse.MoveAsync((float)b.X, (float)b.Y);
        await page.Mouse.WheelAsync(0, -300);
        await Settled(page);
        double zoomedScale = await page.EvaluateAsync<double>("() => window.landmarksReview.mmPerScreenPixel(0)");
        Assert.True(zoomedScale < scale / 1.5, $"{zoomedScale} after zooming in from {scale}");
        await Drag(page, await Mark(page, "B"), -30, 10);
        var movedB = Saved(scene, "ceph-1", "B").PositionMm!.Value - ReviewScene.B2D;
        Assert.InRange(movedB.X, (-30 - 0.5) * zoomedScale, (-30 + 0.5) * zoomedScale);
        Assert.InRange(movedB.Y, (10 - 0.5) * zoomedScale, (10 + 0.5) * zoomedScale);

        // Mark B absent with the keyboard, then place the missing C with a click.
        await page.Keyboard.PressAsync("a");
        await Settled(page);
        Assert.False(Saved(scene, "ceph-1", "B").Present);
        await page.ClickAsync("#landmark-list li[data-landmark='C']");
        var box = await page.EvaluateAsync<JsonElement>("() => window.landmarksReview.viewBox(0)");
        await page.Mouse.ClickAsync((float)(box.GetProperty("x").GetDouble() + 300), (float)(box.GetProperty("y").GetDouble() + 200));
        await Settled(page);
        var c = Saved(scene, "ceph-1", "C");
        Assert.True(c.Present);
        var placedMark = await Mark(page, "C");
        Assert.InRange(placedMark.X - box.GetProperty("x").GetDouble(), 299.5, 300.5);

        await page.ReloadAsync();
        await Settled(page);
        Assert.Equal("corrected", await page.TextContentAsync("#landmark-list li[data-landmark='A'] .tag.corrected"));
        Assert.Equal("absent", await page.TextContentAsync("#landmark-list li[data-landmark='B'] .tag.absent"));
        var again = await Mark(page, "A");
        Assert.InRange(again.X - a.X, 39.5, 40.5);
        Assert.InRange(again.Y - a.Y, -25.5, -24.5);
        var resumed = ReviewSession.Open(scene.Scans, scene.PredictionsPath, scene.OutputPath).Find("ceph-1")!;
        Assert.Equal(3, resumed.Landmarks.Count(l => l.Corrected));

        // Undo puts C back where it was: absent.
        await page.Keyboard.PressAsync("z");
        await Settled(page);
        Assert.False(Saved(scene, "ceph-1", "C").Present);

        // The next case with N; the list keeps the first case's corrections.
        await page.Keyboard.PressAsync("n");
        await Settled(page);
        Assert.Equal("ceph-2", await page.EvaluateAsync<string>("() => window.landmarksReview.currentCase()"));
        Assert.Contains("fixed", await page.TextContentAsync("#case-list li[data-case='ceph-1']"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(scene.Directory.Path, "review-2d.png") });
    }

    [SkippableFact]
    public async Task A_volume_shows_three_slices_through_the_landmark_and_drags_stay_in_the_slice()
    {
        using var scene = new ReviewScene(3);
        await using var server = await ReviewServer.StartAsync(scene.Open());
        var page = await Open(server);
        var image = scene.Images["skull-1"];
        var original = scene.Open().Find("skull-1")!.Landmarks[0].PositionMm!.Value;
        var index = image.Geometry.WorldToIndex(original);
        // Views 0, 1, 2 go across grid axes k, j and i, through the selected landmark A.
        Assert.Equal((int)Math.Round(index.K), await page.EvaluateAsync<int>("() => window.landmarksReview.slice(0)"));
        Assert.Equal((int)Math.Round(index.J), await page.EvaluateAsync<int>("() => window.landmarksReview.slice(1)"));
        Assert.Equal((int)Math.Round(index.I), await page.EvaluateAsync<int>("() => window.landmarksReview.slice(2)"));

        for (int view = 0; view < 3; view++)
        {
            double scale = await page.EvaluateAsync<double>("v => window.landmarksReview.mmPerScreenPixel(v)", view);
            var current = File.Exists(scene.OutputPath) ? Saved(scene, "skull-1", "A").PositionMm!.Value : original;
            var mark = await Mark(page, "A", view);
            Assert.True(mark.OnView);
            await Drag(page, mark, 24, 18);
            var now = Saved(scene, "skull-1", "A").PositionMm!.Value;
            double moved = now.DistanceTo(current);
            Assert.InRange(moved, (30 - 0.5) * scale, (30 + 0.5) * scale);
            // The move lies in the view's plane: the landmark's grid index across the view does not change.
            int axis = 2 - view;
            var from = image.Geometry.WorldToIndex(current);
            var to = image.Geometry.WorldToIndex(now);
            Assert.Equal(axis == 0 ? from.I : axis == 1 ? from.J : from.K, axis == 0 ? to.I : axis == 1 ? to.J : to.K, 4);
        }

        // The wheel scrolls the slices of the view under the pointer.
        var box = await page.EvaluateAsync<JsonElement>("() => window.landmarksReview.viewBox(0)");
        int slice = await page.EvaluateAsync<int>("() => window.landmarksReview.slice(0)");
        await page.Mouse.MoveAsync((float)(box.GetProperty("x").GetDouble() + 20), (float)(box.GetProperty("y").GetDouble() + 20));
        await page.Mouse.WheelAsync(0, -100);
        await Settled(page);
        Assert.Equal(slice + 1, await page.EvaluateAsync<int>("() => window.landmarksReview.slice(0)"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(scene.Directory.Path, "review-3d.png") });
    }
}
