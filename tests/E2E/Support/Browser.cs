using Portal.Tests.Shared;
using Microsoft.Playwright;

namespace Portal.Tests.E2E.Support;

/// <summary>Debian's Chromium driven by Playwright (Playwright's own browser download is not reachable here).</summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Skips with the reason when Chromium is missing on a developer machine; in CI a missing browser fails the run.</summary>
    public static void RequireChromium()
    {
        if (File.Exists(ChromiumPath)) return;
        var reason = $"E2E SKIPPED: {ChromiumPath} is missing. Run ./scripts/test.sh (it installs Debian's chromium) or 'apt-get install chromium'.";
        TestEnvironment.Missing(reason);
    }

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        // A cold kernel importing scikit-learn takes seconds; assertions wait up to 20 s (Playwright's default is 5).
        Assertions.SetDefaultExpectTimeout(20_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>Screenshots go under the test output so CI keeps them next to the results.</summary>
    public static string ScreenshotPath(string test, string step)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots", test);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"{step}.png");
    }
}
