using Microsoft.Playwright;

namespace Portal.Tests.E2E.Support;

/// <summary>
/// One test's browser: Chromium, a page on the portal, numbered screenshots under the test's name, and on any
/// failure a last screenshot plus the portal's output in the message.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly PortalProcess _portal;
    private readonly string _test;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page, PortalProcess portal, string test) =>
        (_playwright, _browser, Page, _portal, _test) = (playwright, browser, page, portal, test);

    public IPage Page { get; }

    public static async Task<BrowserSession> StartAsync(PortalProcess portal, string test, int height = 1000, float timeoutMs = 30_000)
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(new() { BaseURL = portal.BaseUrl, ViewportSize = new() { Width = 1400, Height = height } });
        page.SetDefaultTimeout(timeoutMs);
        return new BrowserSession(playwright, browser, page, portal, test);
    }

    public Task ShotAsync(string step) => Page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath(_test, step), FullPage = true });

    /// <summary>Runs the steps; a failure other than an assertion of ours keeps a screenshot and the portal's output.</summary>
    public async Task RunAsync(Func<Task> steps)
    {
        try { await steps(); }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            await ShotAsync("failure");
            throw new Xunit.Sdk.XunitException($"E2E failed: {e.Message}\nScreenshots: {Path.GetDirectoryName(Browser.ScreenshotPath(_test, "x"))}\nPortal output:\n{_portal.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
