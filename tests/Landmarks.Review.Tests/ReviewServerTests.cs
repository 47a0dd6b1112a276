using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Landmarks.Imaging.Annotations;

namespace Landmarks.Review.Tests;

public class ReviewServerTests
{
    private static HttpClient Client(ReviewServer server, bool withToken = true)
    {
        var client = new HttpClient { BaseAddress = server.Address };
        if (withToken) client.DefaultRequestHeaders.Add("X-Review-Token", server.Token);
        return client;
    }

    [Fact]
    public async Task Every_request_needs_the_token()
    {
        using var scene = new ReviewScene(2);
        await using var server = await ReviewServer.StartAsync(scene.Open());
        Assert.Equal("127.0.0.1", server.Address.Host);
        using var stranger = Client(server, withToken: false);
        foreach (string path in new[] { "/", "/review.js", "/api/cases", "/api/cases/ceph-1/view.png", $"/?token={server.Token}x" })
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsJsonAsync("/api/cases/ceph-1/landmarks/A", new { present = false })).StatusCode);
        Assert.False(File.Exists(scene.OutputPath));

        // The page's address carries the token once; the cookie it sets lets the page's own requests in.
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(server.PageAddress)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/cases")).StatusCode);
    }

    [Fact]
    public async Task Only_the_inputs_can_be_served()
    {
        using var scene = new ReviewScene(2);
        File.WriteAllText(scene.Directory.File("secret.txt"), "secret");
        await using var server = await ReviewServer.StartAsync(scene.Open());
        using var client = Client(server);
        string[] attempts =
        [
            "/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/%2e%2e/etc/passwd", "/review.js/../../secret.txt",
            $"/api/cases/..%2f..%2f{Uri.EscapeDataString(scene.Directory.File("secret.txt"))}/view.png",
            "/api/cases/%2fetc%2fpasswd/view.png", "/api/cases/ceph-1/../../../etc/passwd", "/wwwroot/review.js", "/secret.txt",
        ];
        foreach (string attempt in attempts)
        {
            var response = await client.GetAsync(attempt);
            string body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("secret", body);
            Assert.DoesNotContain("root:", body);
            // Either not found, or the page itself where a client folds the dots away before sending.
            Assert.True(response.StatusCode == HttpStatusCode.NotFound || body.Contains("landmarks review"), $"{attempt}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Pictures_and_geometry_agree_with_the_image()
    {
        using var scene = new ReviewScene(3);
        await using var server = await ReviewServer.StartAsync(scene.Open());
        using var client = Client(server);
        var image = scene.Images["skull-1"];
        foreach (int axis in new[] { 0, 1, 2 })
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/api/cases/skull-1/view?axis={axis}&slice=7");
            Assert.Equal(7, view.GetProperty("slice").GetInt32());
            Assert.Equal(image.Size[axis], view.GetProperty("slices").GetInt32());
            var png = await client.GetByteArrayAsync($"/api/cases/skull-1/view.png?axis={axis}&slice=7");
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.Equal(view.GetProperty("width").GetInt32(), bitmap.Width);
            Assert.Equal(view.GetProperty("height").GetInt32(), bitmap.Height);
            // Pixel (0, 0) and one step right and down land on the voxels the geometry names.
            double[] origin = [.. view.GetProperty("origin").EnumerateArray().Select(v => v.GetDouble())];
            double[] right = [.. view.GetProperty("right").EnumerateArray().Select(v => v.GetDouble())];
            var first = image.Geometry.WorldToIndex(new(origin[0], origin[1], origin[2]));
            Assert.Equal(7, axis == 0 ? first.I : axis == 1 ? first.J : first.K, 6);
            var next = image.Geometry.WorldToIndex(new(origin[0] + right[0], origin[1] + right[1], origin[2] + right[2]));
            Assert.Equal(1, Math.Abs(next.I - first.I) + Math.Abs(next.J - first.J) + Math.Abs(next.K - first.K), 6);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/cases/skull-1/view?axis=3")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/cases/nobody/view")).StatusCode);
    }

    [Fact]
    public async Task Corrections_through_the_api_are_saved_and_exported_as_markups()
    {
        using var scene = new ReviewScene(2);
        string markups = scene.Directory.File("mrk");
        await using var server = await ReviewServer.StartAsync(scene.Open(), markupsFolder: markups);
        using var client = Client(server);
        Assert.True(File.Exists(Path.Combine(markups, "ceph-2.mrk.json")));

        var moved = await client.PostAsJsonAsync("/api/cases/ceph-1/landmarks/A", new { position = new[] { 52.0, 41.0, 0 } });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/cases/ceph-1/landmarks/B", new { present = false })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/cases/ceph-1/landmarks/A", new { position = new[] { 1.0 } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/cases/ceph-1/landmarks/A", new StringContent("not json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/cases/ceph-1/landmarks/Z", new { present = false })).StatusCode);

        var saved = LandmarkFile.Read(Path.Combine(markups, "ceph-1.mrk.json"));
        Assert.Equal(52.0, saved.Find("A")!.PositionMm!.Value.X, 6);
        Assert.Null(saved.Find("B")!.PositionMm);
        var download = await client.GetAsync("/api/cases/ceph-1/markups.mrk.json");
        Assert.Equal("application/json", download.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"missing\"", await download.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/cases/ceph-1/undo", null)).StatusCode);
        Assert.True(PredictionCsv.Read(scene.OutputPath)[1].Present);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/cases/ceph-1/undo", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/cases/ceph-1/undo", null)).StatusCode);
    }
}
