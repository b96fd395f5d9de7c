using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Portal.Benchmarks.LogStreaming;

// Log streaming benchmark: one training prints RATE lines/s for SECONDS s (in batches, each line stamped with the
// time it was printed); SUBSCRIBERS clients follow it through /hubs/logs, as browsers' circuits follow the same
// log book. Prints lines lost per subscriber, print-to-delivery delay percentiles, and the portal's CPU and memory.
var options = BenchmarkOptions.Parse(args);
var root = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(Path.Combine(root, "project"));
File.WriteAllText(Path.Combine(root, "project", "flood.ipynb"), FloodNotebook.Json());

await using var portal = await PortalUnderTest.StartAsync(options.PortalExecutable, root);
using var http = portal.Client();
(await http.PostAsJsonAsync("/api/v1/projects", new { name = "bench", home_dir = Path.Combine(root, "project") })).EnsureSuccessStatusCode();

var expected = options.Rate * options.Seconds;
var subscribers = new List<Subscriber>();
for (var i = 0; i < options.Subscribers; i++) subscribers.Add(await Subscriber.ConnectAsync(portal.BaseUrl, portal.Token));
Console.WriteLine($"portal {portal.BaseUrl} (pid {portal.Pid}); {options.Subscribers} subscribers; {options.Rate} lines/s for {options.Seconds} s = {expected:N0} lines");

var launched = await http.PostAsJsonAsync("/api/v1/trainings", new
{
    project = "bench", name = "flood", notebook = "flood.ipynb",
    parameters = new { rate = options.Rate, seconds = options.Seconds, batch = options.Batch },
});
launched.EnsureSuccessStatusCode();
var follows = subscribers.Select(s => s.FollowAsync("bench", "flood")).ToList();

using var sampler = new ProcessSampler(portal.Pid);
var sampling = sampler.RunAsync(TimeSpan.FromSeconds(1));
var clock = Stopwatch.StartNew();
string state;
while (true)
{
    var training = await http.GetFromJsonAsync<JsonObject>("/api/v1/trainings/bench/flood");
    state = training!["state"]!.GetValue<string>();
    if (state is "FINISHED" or "FAILED" or "CANCELLED") break;
    await Task.Delay(1000);
}
await Task.WhenAll(follows).WaitAsync(TimeSpan.FromSeconds(60));
sampler.Stop();
await sampling;

Console.WriteLine($"training {state} after {clock.Elapsed.TotalSeconds:0.0} s");
var delays = subscribers.SelectMany(s => s.DelaysMs).Order().ToArray();
var lost = subscribers.Select(s => expected - s.DistinctFloodLines).ToArray();
var duplicated = subscribers.Sum(s => s.Duplicates);
Console.WriteLine($"lines lost per subscriber: max {lost.Max()}, total {lost.Sum()} (must be 0); duplicated: {duplicated}; out of order: {subscribers.Sum(s => s.OutOfOrder)}");
Console.WriteLine($"delay print→delivery: p50 {Percentile(delays, 0.50):0.0} ms, p99 {Percentile(delays, 0.99):0.0} ms, max {delays.LastOrDefault():0.0} ms over {delays.Length:N0} deliveries");
Console.WriteLine($"portal CPU: mean {sampler.MeanCpuPercent:0} %, peak {sampler.PeakCpuPercent:0} % of one core; memory: peak RSS {sampler.PeakRssMb:0} MB, final RSS {sampler.LastRssMb:0} MB");
foreach (var s in subscribers) await s.DisposeAsync();
return lost.Max() == 0 && state == "FINISHED" ? 0 : 1;

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
