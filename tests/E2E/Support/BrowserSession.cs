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

    /// <summary>A browser on the portal, signed in as the first admin unless <paramref name="signIn"/> is false.</summary>
    /// <param name="bypassCsp">Lets the test inject a script of its own (axe-core) past the portal's Content-Security-Policy.</param>
    public static async Task<BrowserSession> StartAsync(PortalProcess portal, string test, int height = 1000, float timeoutMs = 30_000, bool signIn = true,
        bool bypassCsp = false)
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(new() { BaseURL = portal.BaseUrl, ViewportSize = new() { Width = 1400, Height = height }, BypassCSP = bypassCsp });
        page.SetDefaultTimeout(timeoutMs);
        var session = new BrowserSession(playwright, browser, page, portal, test);
        if (signIn) await session.SignInAsync("admin", PortalProcess.AdminPassword);
        return session;
    }

    /// <summary>
    /// Signs in with the portal's own form and waits for the home page. This is set-up, not what a test checks: the wait
    /// allows for a portal just started on a loaded machine (its first pages compile), and a failure keeps a screenshot
    /// and the portal's output like any step.
    /// </summary>
    public Task SignInAsync(string user, string password) => RunAsync(async () =>
    {
        await Page.GotoAsync("/signin");
        await Page.FillAsync("#username", user);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("#signin-local");
        // Signed in once the layout names the user. Waiting for the address missed the change now and then (twice in CI, with
        // the signed-in home page on the screen), so the wait reads the page instead.
        await Assertions.Expect(Page.Locator("#current-user")).ToHaveTextAsync(user, new() { Timeout = 90_000 });
    });

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
