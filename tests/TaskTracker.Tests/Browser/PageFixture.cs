using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Browser;

/// <summary>
/// The real service on a real Kestrel socket (the browser cannot reach the in-memory test server), seeded as in every
/// other test and on either provider, plus one headless Debian Chromium shared by the tests of a class.
/// </summary>
public class PageFixture : TaskTrackerApp
{
    public string BaseUrl { get; }
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public PageFixture()
    {
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        UseKestrel(port);
    }

    /// <summary>Settings a derived fixture wants before the server starts.</summary>
    protected virtual void Configure() { }

    public override async Task InitializeAsync()
    {
        Configure();
        StartServer();
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } p ? p : "/usr/bin/chromium";
        // A missing browser fails the run: a page test that cannot run has not passed.
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Chromium not found at {chromium}: install Debian's chromium (.ci/prereqs.sh does) or set CHROMIUM_PATH.");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
        });
    }

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>A fresh browser context (own storage) on the page at <paramref name="path"/>, waiting until it has rendered.</summary>
    public async Task<IPage> OpenAsync(string path = "/")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(BaseUrl + path);
        await Rendered(page);
        Assert.True(errors.Count == 0, "script errors: " + string.Join("; ", errors));
        return page;
    }

    /// <summary>The page marks body[data-ready=true] after each render has finished (or failed with a message).</summary>
    public static async Task Rendered(IPage page)
    {
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'", null, new() { Timeout = 20_000 });
    }

    public static string ScreenshotPath(string name)
    {
        var root = Environment.GetEnvironmentVariable("TEST_RESULTS_DIR") is { Length: > 0 } r ? r : Path.Combine(AppContext.BaseDirectory, "TestResults");
        var provider = Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PROVIDER") is { Length: > 0 } p ? p : "sqlite";
        var dir = Path.Combine(root, "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"{name}-{provider}.png");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The production default: no anonymous reads, so the page must ask for a token.</summary>
public sealed class TokenPageFixture : PageFixture
{
    protected override void Configure() => Settings["Access:AllowAnonymousReads"] = "false";
}
