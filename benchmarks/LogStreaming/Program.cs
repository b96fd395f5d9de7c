using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Portal.Benchmarks.LogStreaming;

// Live log benchmark (not a test). For each round N: a training prints RATE lines/s for SECONDS s (each line stamped with its
// print time) while N clients follow it through /hubs/logs; then another while N Chromium pages show it on its training page,
// as users see it. Prints, for both: lines shown vs printed, print-to-screen delay p50/p99, the longest gap between updates
// (pages), the portal's CPU (and per follower) and RSS. Then IDLE signed-in pages sit on /projects: memory per idle circuit,
// and how long after they close the memory is given back.
var options = BenchmarkOptions.Parse(args);
var root = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(Path.Combine(root, "project"));
File.WriteAllText(Path.Combine(root, "project", "flood.ipynb"), FloodNotebook.Json());

await using var portal = await PortalUnderTest.StartAsync(options.PortalExecutable, root);
using var http = portal.Client();
(await http.PostAsJsonAsync("/api/v1/projects", new { name = "bench", home_dir = Path.Combine(root, "project") })).EnsureSuccessStatusCode();
var expected = options.Rate * options.Seconds;
Console.WriteLine($"portal {portal.BaseUrl} (pid {portal.Pid}); {options.Rate} lines/s for {options.Seconds} s = {expected:N0} lines per training");

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium", Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
});
await using var context = await browser.NewContextAsync(new() { BaseURL = portal.BaseUrl });
await BrowserPage.SignInAsync(context, portal.BaseUrl, "admin", PortalUnderTest.AdminPassword);

var ok = true;
foreach (var n in options.Pages)
{
    // The hub: n followers of one training.
    var hub = await LaunchAsync($"hub-{n}", delay: 3);
    var subscribers = new List<Subscriber>();
    for (var i = 0; i < n; i++) subscribers.Add(await Subscriber.ConnectAsync(portal.BaseUrl, portal.Token));
    var follows = subscribers.Select(s => s.FollowAsync("bench", hub)).ToList();
    var (hubCpu, hubRss) = await MeasureUntilEndedAsync(hub);
    await Task.WhenAll(follows).WaitAsync(TimeSpan.FromSeconds(60));
    var hubDelays = subscribers.SelectMany(s => s.DelaysMs).Order().ToArray();
    var hubShown = subscribers.Min(s => s.DistinctFloodLines);
    foreach (var s in subscribers) await s.DisposeAsync();
    Report($"hub   x{n,2}", hubShown, hubDelays, null, hubCpu, n, hubRss);
    ok &= hubShown == expected;

    // The browser: n pages on the training page.
    var shown = await LaunchAsync($"pages-{n}", delay: 10 + 2 * n);
    var pages = new List<BrowserPage>();
    for (var i = 0; i < n; i++) pages.Add(await BrowserPage.OpenAsync(context, $"/trainings/bench/{shown}"));
    var (pageCpu, pageRss) = await MeasureUntilEndedAsync(shown);
    // Late is not lost: read once every page has all lines, or none has shown a new one for 5 s (at most 2 minutes).
    var settle = Stopwatch.StartNew();
    var lastTotal = -1;
    var still = Stopwatch.StartNew();
    while (true)
    {
        var seen = new List<int>();
        foreach (var page in pages) seen.Add(await page.SeenAsync());
        if (seen.All(n => n == expected) || still.Elapsed > TimeSpan.FromSeconds(5) || settle.Elapsed > TimeSpan.FromMinutes(2)) break;
        if (seen.Sum() != lastTotal) (lastTotal, still) = (seen.Sum(), Stopwatch.StartNew());
        await Task.Delay(1000);
    }
    Console.WriteLine($"            all pages settled {settle.Elapsed.TotalSeconds:0} s after the training ended");
    var figures = new List<BrowserPage.Figures>();
    foreach (var page in pages) figures.Add(await page.ReadAsync());
    foreach (var page in pages) await page.CloseAsync();
    var pageDelays = figures.SelectMany(f => f.DelaysMs).Order().ToArray();
    var pageShown = figures.Min(f => f.Seen);
    Report($"pages x{n,2}", pageShown, pageDelays, figures.Max(f => f.MaxGapMs), pageCpu, n, pageRss);
    var download = (await http.GetStringAsync($"/api/v1/trainings/bench/{shown}/log")).Split('\n').Count(l => l.Contains("FLOOD ", StringComparison.Ordinal));
    Console.WriteLine($"            download has {download:N0} of {expected:N0} lines");
    ok &= pageShown == expected && download == expected;
}

if (options.IdlePages > 0) await IdleAsync(options.IdlePages, options.IdleWaitSeconds);
return ok ? 0 : 1;

async Task<string> LaunchAsync(string name, int delay)
{
    var launched = await http.PostAsJsonAsync("/api/v1/trainings", new
    {
        project = "bench", name, notebook = "flood.ipynb",
        parameters = new { rate = options.Rate, seconds = options.Seconds, batch = options.Batch, delay },
    });
    launched.EnsureSuccessStatusCode();
    return name;
}

// The portal's CPU while the flood runs (from its first line to the training's end) and its peak RSS.
async Task<(double Cpu, double Rss)> MeasureUntilEndedAsync(string training)
{
    using var sampler = new ProcessSampler(portal.Pid);
    Task? sampling = null;
    while (true)
    {
        var t = await http.GetFromJsonAsync<JsonObject>($"/api/v1/trainings/bench/{training}");
        var state = t!["state"]!.GetValue<string>();
        if (state is "FINISHED" or "FAILED" or "CANCELLED")
        {
            if (state != "FINISHED") Console.WriteLine($"training {training} {state}: {t["message"]}");
            break;
        }
        if (sampling is null && (t["progress"]?.ToString() is not null || state == "RUNNING"))
        {
            var log = await http.GetStringAsync($"/api/v1/trainings/bench/{training}/log");
            if (log.Contains("FLOOD ", StringComparison.Ordinal)) sampling = sampler.RunAsync(TimeSpan.FromSeconds(1));
        }
        await Task.Delay(500);
    }
    sampler.Stop();
    if (sampling is not null) await sampling;
    return (sampler.MeanCpuPercent, sampler.PeakRssMb);
}

void Report(string what, int shown, double[] delays, double? gap, double cpu, int followers, double rss) =>
    Console.WriteLine($"{what}: shown {shown:N0}/{expected:N0} (worst follower); print→screen p50 {Percentile(delays, 0.5):0} ms, p99 {Percentile(delays, 0.99):0} ms, "
        + $"max {delays.LastOrDefault():0} ms{(gap is { } g ? $"; longest gap {g:0} ms" : "")}; portal CPU {cpu:0} % ({cpu / followers:0.0} % per follower), peak RSS {rss:0} MB");

async Task IdleAsync(int count, int waitSeconds)
{
    await SettleAsync();
    var before = ProcessSampler.RssMbOf(portal.Pid);
    var idle = await browser.NewContextAsync(new() { BaseURL = portal.BaseUrl });
    await BrowserPage.SignInAsync(idle, portal.BaseUrl, "admin", PortalUnderTest.AdminPassword);
    var pages = new List<IPage>();
    for (var i = 0; i < count; i++)
    {
        var page = await idle.NewPageAsync();
        await page.GotoAsync("/projects");
        await page.Locator("#projects-grid").WaitForAsync(new() { Timeout = 120_000 });
        pages.Add(page);
    }
    await Task.Delay(10_000);
    await SettleAsync();
    var open = ProcessSampler.RssMbOf(portal.Pid);
    Console.WriteLine($"idle  x{count}: RSS {before:0} MB before, {open:0} MB with them open: {(open - before) * 1024 / count:0} KB per idle circuit");
    foreach (var page in pages) await page.CloseAsync();
    await idle.DisposeAsync();
    var clock = Stopwatch.StartNew();
    var now = open;
    while (clock.Elapsed < TimeSpan.FromSeconds(waitSeconds))
    {
        await Task.Delay(10_000);
        await SettleAsync();
        now = ProcessSampler.RssMbOf(portal.Pid);
        if (now - before <= Math.Max(10, (open - before) * 0.1)) break;
    }
    Console.WriteLine($"idle closed: RSS {now:0} MB after {clock.Elapsed.TotalSeconds:0} s ({(now - before <= Math.Max(10, (open - before) * 0.1) ? "given back" : "still held")})");
}

// The portal is not asked to collect (it has no such endpoint): a short wait before reading lets its own GC settle.
static Task SettleAsync() => Task.Delay(2000);

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
