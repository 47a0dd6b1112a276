using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Landmarks.Evaluation.Drawing;
using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Landmarks.Review;

/// <summary>
/// The review's web server: the page and its script (served from this assembly: no network needed), pictures of
/// each case rendered by <see cref="ImagePanel"/> (the code of <c>landmarks draw</c>, so positions agree with every
/// other command), and the API that reads and corrects landmarks. Every request needs the access token (403
/// otherwise); cases are found by id in the session, never by a path from the request, so no other file can be served.
/// </summary>
public sealed class ReviewServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ReviewSession _session;
    private readonly ImageCache _images;

    private ReviewServer(WebApplication app, ReviewSession session, string token, Uri address, string? markupsFolder)
    {
        _app = app;
        _session = session;
        Token = token;
        Address = address;
        _images = new ImageCache();
        MarkupsFolder = markupsFolder;
    }

    /// <summary>The random token every request must carry (query <c>token</c>, header <c>X-Review-Token</c> or its cookie).</summary>
    public string Token { get; }

    /// <summary>Where the server listens.</summary>
    public Uri Address { get; }

    /// <summary>The address to open in a browser: the page with the token.</summary>
    public Uri PageAddress => new(Address, $"/?token={Token}");

    /// <summary>Folder that receives each case's Slicer markups after every correction, when given.</summary>
    public string? MarkupsFolder { get; }

    /// <param name="host">The address to bind: loopback unless the user asks otherwise.</param>
    /// <param name="port">0 picks a free port.</param>
    public static async Task<ReviewServer> StartAsync(ReviewSession session, string host = "127.0.0.1", int port = 0, string? markupsFolder = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}");
        var app = builder.Build();
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        // Cookies do not tell ports apart: each server's cookie is named after its token (hashed, so the name gives nothing away).
        string cookieName = "landmarks-review-" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)))[..12].ToLowerInvariant();
        ReviewServer? server = null;
        app.Use(async (context, next) =>
        {
            if (!Authorised(context.Request, token, cookieName))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("403: this review needs its access token (the address the tool printed)");
                return;
            }
            // The page's own requests then carry the cookie; it is good for this server only.
            if (context.Request.Query.ContainsKey("token"))
                context.Response.Cookies.Append(cookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict });
            await next();
        });
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        app.MapGet("/review.js", () => Asset("review.js", "text/javascript; charset=utf-8"));
        app.MapGet("/review.css", () => Asset("review.css", "text/css; charset=utf-8"));
        app.MapGet("/api/cases", () => Results.Json(server!.CaseList(), ReviewJson.Default.IReadOnlyListCaseSummary));
        app.MapGet("/api/cases/{id}", (string id) => server!.CaseDetail(id));
        app.MapGet("/api/cases/{id}/view", (string id, int? axis, int? slice) => server!.View(id, axis ?? 2, slice));
        app.MapGet("/api/cases/{id}/view.png", (string id, int? axis, int? slice, double? low, double? high, int? reduce) => server!.Picture(id, axis ?? 2, slice, low, high, reduce ?? 1));
        app.MapPost("/api/cases/{id}/landmarks/{name}", async (string id, string name, HttpRequest request) => await server!.Correct(id, name, request));
        app.MapPost("/api/cases/{id}/undo", (string id) => server!.Undo(id));
        app.MapGet("/api/cases/{id}/markups.mrk.json", (string id) => server!.Markups(id));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new ReviewServer(app, session, token, new Uri(address.Replace("[::]", "localhost")), markupsFolder);
        foreach (var c in session.Cases) server.WriteMarkups(c);
        // The first case is read while the user opens the page.
        server.Prefetch(session.Cases[0]);
        return server;
    }

    private static bool Authorised(HttpRequest request, string token, string cookieName)
    {
        string? given = request.Query["token"].FirstOrDefault() ?? request.Headers["X-Review-Token"].FirstOrDefault() ?? request.Cookies[cookieName];
        return given is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(token));
    }

    private static IResult Asset(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"wwwroot/{name}")
            ?? throw new InvalidOperationException($"asset {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Results.Bytes(copy.ToArray(), contentType);
    }

    private IReadOnlyList<CaseSummary> CaseList() => [.. _session.Cases.Select(c => new CaseSummary(c.Id, c.Landmarks.Count,
        c.Landmarks.Count(l => !l.Present), c.Landmarks.Count(l => l.Corrected), c.LeastConfidence, MaxError(c)))];

    private static double? MaxError(ReviewCase c)
    {
        if (c.Reference is null) return null;
        var errors = c.Landmarks.Where(l => l.Present && l.PositionMm is not null && c.Reference.Find(l.Name)?.PositionMm is not null)
            .Select(l => l.PositionMm!.Value.DistanceTo(c.Reference.Find(l.Name)!.PositionMm!.Value)).ToList();
        return errors.Count > 0 ? errors.Max() : null;
    }

    /// <summary>Reads a case's image in the background, so that it is ready when asked for.</summary>
    private void Prefetch(ReviewCase c) => _ = Task.Run(() =>
    {
        try { _images.Get(c.Scan); }
        catch (Exception e) when (e is InvalidFileException or IOException or ArgumentException) { }  // reported when the case is opened
    });

    private IResult CaseDetail(string id)
    {
        if (_session.Find(id) is not ReviewCase c) return Results.NotFound();
        // The user is likely to go on to the next case.
        var cases = _session.Cases;
        int at = cases.ToList().FindIndex(other => other.Id == id);
        if (at + 1 < cases.Count) Prefetch(cases[at + 1]);
        var g = _images.Get(c.Scan).Image.Geometry;
        var landmarks = c.Landmarks.Select(l => new LandmarkState(
            l.Name,
            l.PositionMm is WorldMm p ? ReviewJson.Array(p) : null,
            double.IsFinite(l.Confidence) ? l.Confidence : null,
            l.Present,
            l.Corrected,
            l.OriginalMm is WorldMm o ? ReviewJson.Array(o) : null,
            l.OriginalPresent,
            c.Reference?.Find(l.Name)?.PositionMm is WorldMm r ? ReviewJson.Array(r) : null,
            l.PositionMm is WorldMm q && g.WorldToIndex(q) is var i ? [i.I, i.J, i.K] : null)).ToList();
        return Results.Json(new CaseState(c.Id, g.Dimension, [g.Size.X, g.Size.Y, g.Size.Z], ReviewJson.Array(g.SpacingMm), MarkupsFolder is not null, landmarks),
            ReviewJson.Default.CaseState);
    }

    /// <summary>The panel of a case: the image itself (2D) or one slice across a grid axis (3D).</summary>
    private ImagePanel Panel(ReviewCase c, int axis, int? slice)
    {
        var image = _images.Get(c.Scan).Image;
        if (image.Dimension == 2) return ImagePanel.Of2D(image);
        if (axis is < 0 or > 2) throw new BadHttpRequestException("axis is 0, 1 or 2");
        return ImagePanel.Slice(image, axis, slice ?? image.Size[axis] / 2, "");
    }

    private IResult View(string id, int axis, int? slice)
    {
        if (_session.Find(id) is not ReviewCase c) return Results.NotFound();
        var (image, window) = _images.Get(c.Scan);
        var panel = Panel(c, axis, slice);
        bool volume = image.Dimension == 3;
        int count = volume ? image.Size[axis] : 1;
        int index = volume ? Math.Clamp(slice ?? count / 2, 0, count - 1) : 0;
        var normal = volume ? image.Geometry.Direction.Column(axis) : new Vec3(0, 0, 1);
        var marks = c.Landmarks.Where(l => l.PositionMm is not null).Select(l =>
        {
            var p = l.PositionMm!.Value;
            var (x, y) = panel.WorldToPixel(p);
            return new ViewMark(l.Name, x, y, panel.Shows(p), volume ? (p - panel.PixelOriginMm).Dot(normal) : 0);
        }).ToList();
        var references = c.Reference is null ? null : c.Landmarks
            .Select(l => c.Reference.Find(l.Name)?.PositionMm is WorldMm t && panel.Shows(t) && panel.WorldToPixel(t) is var xy ? new ViewPoint(l.Name, xy.X, xy.Y) : null)
            .OfType<ViewPoint>().ToList();
        var letters = panel.RightWorld is Vec3 r && panel.DownWorld is Vec3 d
            ? new ViewLetters(ImagePanel.OrientationLetters(-r), ImagePanel.OrientationLetters(r), ImagePanel.OrientationLetters(-d), ImagePanel.OrientationLetters(d))
            : null;
        return Results.Json(new ViewState(panel.Width, panel.Height, ReviewJson.Array(panel.PixelOriginMm), ReviewJson.Array(panel.StepRightMm),
            ReviewJson.Array(panel.StepDownMm), ReviewJson.Array(normal), index, count, volume ? ImagePanel.ViewName(image.Geometry, axis) : "",
            letters, window.Low, window.High, marks, references), ReviewJson.Default.ViewState);
    }

    /// <param name="reduce">Blocks of this many pixels a side averaged into one (1 to 16): a view shown smaller than
    /// its pixels gets a lighter picture.</param>
    private IResult Picture(string id, int axis, int? slice, double? low, double? high, int reduce)
    {
        if (_session.Find(id) is not ReviewCase c) return Results.NotFound();
        if (reduce is < 1 or > 16) return Results.BadRequest("reduce is 1 to 16");
        var panel = Panel(c, axis, slice).Reduced(reduce);
        var window = low is double l && high is double h && double.IsFinite(l) && double.IsFinite(h) && h > l ? (l, h) : _images.Get(c.Scan).Window;
        using var bitmap = panel.ToBitmap(window);
        using var pixmap = bitmap.PeekPixels();
        // Fast rather than small: the picture crosses loopback while the user waits for it.
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 1))
            ?? throw new InvalidOperationException("the picture could not be encoded");
        return Results.Bytes(data.ToArray(), "image/png");
    }

    private async Task<IResult> Correct(string id, string name, HttpRequest request)
    {
        if (_session.Find(id) is null) return Results.NotFound();
        const string expected = "the body must be {\"position\": [x, y, z]} (world mm) or {\"present\": false}";
        Correction? body;
        try { body = await JsonSerializer.DeserializeAsync(request.Body, ReviewJson.Default.Correction); }
        catch (JsonException) { return Results.BadRequest(expected); }
        WorldMm? position;
        if (body is { Position: { Length: 3 } v, Present: null or true }) position = new WorldMm(v[0], v[1], v[2]);
        else if (body is { Position: null, Present: false }) position = null;
        else return Results.BadRequest(expected);
        try
        {
            var c = _session.Correct(id, name, position);
            WriteMarkups(c);
            return CaseDetail(id);
        }
        catch (KeyNotFoundException e) { return Results.NotFound(e.Message); }
        catch (ArgumentException e) { return Results.BadRequest(e.Message); }
    }

    private IResult Undo(string id)
    {
        if (_session.Find(id) is null) return Results.NotFound();
        if (!_session.Undo(id)) return Results.Conflict("nothing to undo");
        WriteMarkups(_session.Find(id)!);
        return CaseDetail(id);
    }

    private IResult Markups(string id)
    {
        if (_session.Find(id) is not ReviewCase c) return Results.NotFound();
        string temporary = Path.Combine(Path.GetTempPath(), $"landmarks-review-{Guid.NewGuid():N}.mrk.json");
        try
        {
            LandmarkFile.Write(ReviewSession.AsLandmarkSet(c), temporary);
            return Results.File(File.ReadAllBytes(temporary), "application/json", c.Id + ".mrk.json");
        }
        finally { File.Delete(temporary); }
    }

    private void WriteMarkups(ReviewCase c)
    {
        if (MarkupsFolder is null) return;
        Directory.CreateDirectory(MarkupsFolder);
        LandmarkFile.Write(ReviewSession.AsLandmarkSet(c), Path.Combine(MarkupsFolder, c.Id + ".mrk.json"));
    }

    public Task WaitForShutdownAsync(CancellationToken cancel) => _app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The images of the last few cases looked at, read once (a 3D volume is scrolled slice by slice), with
    /// their default window: the 0.5th to 99.5th intensity percentiles of the whole image, the same on every slice. An
    /// image is read outside the lock, so a case being prefetched does not hold up the one on screen.</summary>
    private sealed class ImageCache
    {
        private const int Kept = 3;  // the case on screen, the next one (prefetched) and the one before
        private readonly LinkedList<(string Path, Lazy<(Image Image, (double Low, double High) Window)> Entry)> _recent = new();
        private readonly object _lock = new();

        public (Image Image, (double Low, double High) Window) Get(Landmarks.Imaging.Datasets.ScanInput scan)
        {
            Lazy<(Image, (double, double))> entry;
            lock (_lock)
            {
                var node = _recent.First;
                while (node is not null && node.Value.Path != scan.ImagePath) node = node.Next;
                if (node is null) node = new((scan.ImagePath, new(() => Read(scan))));
                else _recent.Remove(node);
                _recent.AddFirst(node);
                while (_recent.Count > Kept) _recent.RemoveLast();
                entry = node.Value.Entry;
            }
            return entry.Value;
        }

        private static (Image, (double, double)) Read(Landmarks.Imaging.Datasets.ScanInput scan)
        {
            var image = ImageFile.Read(scan.ImagePath, new ImageReadOptions(scan.SpacingMm));
            var statistics = image.Statistics();
            return (image, (statistics.Percentile0_5, Math.Max(statistics.Percentile99_5, statistics.Percentile0_5 + 1e-6)));
        }
    }
}
