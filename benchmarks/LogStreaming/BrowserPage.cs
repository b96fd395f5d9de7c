using System.Globalization;
using Microsoft.Playwright;

namespace Portal.Benchmarks.LogStreaming;

/// <summary>
/// A Chromium page on a training's page, as a user watches it: an observer in the page records each flood line the moment it
/// enters the DOM (its number and how late it came after being printed) and the longest wait between updates.
/// </summary>
public sealed class BrowserPage(IPage page)
{
    private const string Observe = """
        () => {
            const stats = { seen: 0, delays: [], lastUpdate: 0, maxGap: 0 };
            const seen = new Set();
            window.__bench = stats;
            const attach = () => {
                const host = document.querySelector('#log-view .log-lines');
                const lines = host && host.shadowRoot && host.shadowRoot.querySelector('.lines');
                if (!lines) { setTimeout(attach, 50); return; }
                new MutationObserver(records => {
                    const now = performance.timeOrigin + performance.now();
                    let any = false;
                    // Lines arrive in chunks: a new chunk brings its first lines with it.
                    const added = records.flatMap(r => [...r.addedNodes].flatMap(n => n.classList && n.classList.contains('chunk') ? [...n.children] : [n]));
                    for (const node of added) {
                        const text = node.textContent;
                        if (!text || !text.startsWith('FLOOD ')) continue;
                        const parts = text.split(' ');
                        if (!seen.has(parts[1])) { seen.add(parts[1]); stats.seen++; }
                        stats.delays.push(now - Number(BigInt(parts[2]) / 1000n) / 1000);
                        any = true;
                    }
                    if (any) {
                        if (stats.lastUpdate) stats.maxGap = Math.max(stats.maxGap, now - stats.lastUpdate);
                        stats.lastUpdate = now;
                    }
                }).observe(lines, { childList: true, subtree: true });
            };
            attach();
        }
        """;

    public sealed record Figures(int Seen, double[] DelaysMs, double MaxGapMs);

    public static async Task<BrowserPage> OpenAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await page.Locator("#log-view .log-lines").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 120_000 });
        await page.EvaluateAsync(Observe);
        return new BrowserPage(page);
    }

    /// <summary>How many flood lines the page has shown so far.</summary>
    public Task<int> SeenAsync() => page.EvaluateAsync<int>("() => window.__bench.seen");

    public async Task<Figures> ReadAsync()
    {
        var seen = await page.EvaluateAsync<int>("() => window.__bench.seen");
        var delays = await page.EvaluateAsync<double[]>("() => window.__bench.delays");
        var gap = await page.EvaluateAsync<double>("() => window.__bench.maxGap");
        return new Figures(seen, delays, gap);
    }

    public Task CloseAsync() => page.CloseAsync();

    /// <summary>Signs the context in through the sign-in form, as a person would.</summary>
    public static async Task SignInAsync(IBrowserContext context, string baseUrl, string user, string password)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{baseUrl}/signin");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#signin-local");
        await page.WaitForURLAsync(u => !u.Contains("/signin", StringComparison.Ordinal), new() { Timeout = 60_000 });
        await page.CloseAsync();
    }

    public static string Format(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
