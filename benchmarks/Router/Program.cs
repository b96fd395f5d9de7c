using System.Globalization;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Benchmarks.LogStreaming;

// Router benchmark: the iris model served by local replicas of the toolkit's prediction server.
// 1. Closed loop: CLIENTS callers for SECONDS s, directly and through /model/{name}/… (the router's throughput cost).
// 2. Open loop at RATE req/s, interleaved in rounds: direct, through the router, through a 90/10 weighted route, and through
//    a route with a shadow; p50/p99 of each and the overhead against direct (goal: ≤ +1 ms p50, ≤ +5 ms p99 at 200 req/s).
//    The request is GET /api/model/info: one Python replica does not sustain 200 predictions a second on two cores, and a
//    saturated replica's queue would hide the router's cost.
// 3. The router's own ceiling: many callers on that GET, direct to one replica vs through a route over three, so that the
//    replicas are less of the bottleneck (on a small machine they share its cores with the portal).
string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
var portalExe = Arg("--portal", "");
var seconds = int.Parse(Arg("--seconds", "20"), CultureInfo.InvariantCulture);
var clients = int.Parse(Arg("--clients", "8"), CultureInfo.InvariantCulture);
var rate = int.Parse(Arg("--rate", "200"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("--rounds", "3"), CultureInfo.InvariantCulture);
var irisDir = Path.GetFullPath(Arg("--iris", "deploy/examples/iris"));

var root = Path.Combine(Path.GetTempPath(), "portal-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
var pickle = Path.Combine(root, "model.pkl");
using (var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c",
           "import pickle,sys\nfrom sklearn.datasets import load_iris\nfrom sklearn.ensemble import RandomForestClassifier\n" +
           "X,y=load_iris(return_X_y=True)\npickle.dump(RandomForestClassifier(n_estimators=10,random_state=1).fit(X,y),open(sys.argv[1],'wb'))", pickle]))!)
    await python.WaitForExitAsync();

await using var portal = await PortalUnderTest.StartAsync(portalExe, root);
using var http = portal.Client();
(await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } })).EnsureSuccessStatusCode();
(await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = irisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
var form = new MultipartFormDataContent();
var file = new ByteArrayContent(await File.ReadAllBytesAsync(pickle));
file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
form.Add(file, "files", "model.pkl");
(await http.PostAsync("/api/v1/models/iris-clf/versions", form)).EnsureSuccessStatusCode();
var replicas = new Dictionary<string, string>();
foreach (var name in new[] { "bench", "bench-b", "bench-shadow" })
{
    (await http.PostAsJsonAsync("/api/v1/deployments", new { name, project = "iris", model_version = "iris-clf/1", entry = "predict.py" })).EnsureSuccessStatusCode();
    for (var i = 0; i < 240 && !replicas.ContainsKey(name); i++)
    {
        await Task.Delay(250);
        var d = await http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}");
        if (d.GetProperty("replica_states").EnumerateArray().Select(r => r.GetProperty("endpoint")).FirstOrDefault(e => e.ValueKind == JsonValueKind.String) is
            { ValueKind: JsonValueKind.String } endpoint) replicas[name] = endpoint.GetString()!;
    }
    if (!replicas.ContainsKey(name)) throw new TimeoutException($"the replica of {name} did not start");
    for (var i = 0; i < 240 && !await Try(() => http.GetAsync($"/model/{name}/api/model/info")); i++) await Task.Delay(250);
}
(await http.PostAsJsonAsync("/api/v1/routes", new { name = "weighted", targets = new[] { new { deployment = "bench", weight = 90 }, new { deployment = "bench-b", weight = 10 } } }))
    .EnsureSuccessStatusCode();
(await http.PostAsJsonAsync("/api/v1/routes", new { name = "shadowed", targets = new[] { new { deployment = "bench", weight = 100 } }, shadow = "bench-shadow" }))
    .EnsureSuccessStatusCode();
(await http.PostAsJsonAsync("/api/v1/routes", new
{
    name = "spread", targets = new[] { new { deployment = "bench", weight = 34 }, new { deployment = "bench-b", weight = 33 }, new { deployment = "bench-shadow", weight = 33 } },
})).EnsureSuccessStatusCode();

var payload = """{"columns": ["sepal_length", "sepal_width", "petal_length", "petal_width"], "data": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}""";
var replica = replicas["bench"];
Console.WriteLine($"portal {portal.BaseUrl}; replica {replica}; payload {payload.Length} bytes");

Console.WriteLine($"\n1. Closed loop, {clients} callers × {seconds} s each way");
var direct = await ClosedAsync($"{replica}/api/model/invoke", payload, clients, TimeSpan.FromSeconds(seconds), null);
var routed = await ClosedAsync($"{portal.BaseUrl}/model/bench/api/model/invoke", payload, clients, TimeSpan.FromSeconds(seconds), portal.Token);
Print("direct to the replica", direct);
Print("through the router", routed);
Console.WriteLine($"router / direct: throughput {routed.PerSecond / direct.PerSecond:0.00}×; router adds p50 {routed.P50 - direct.P50:0.00} ms, p99 {routed.P99 - direct.P99:0.00} ms");

Console.WriteLine($"\n2. Open loop at {rate} req/s on GET /api/model/info, {rounds} interleaved rounds of {Math.Max(2, seconds / 2)} s per way");
var ways = new (string Name, string Url, string? Token)[]
{
    ("direct", $"{replica}/api/model/info", null), ("router", $"{portal.BaseUrl}/model/bench/api/model/info", portal.Token),
    ("weighted route 90/10", $"{portal.BaseUrl}/model/weighted/api/model/info", portal.Token),
    ("route with a shadow", $"{portal.BaseUrl}/model/shadowed/api/model/info", portal.Token),
};
var open = ways.ToDictionary(w => w.Name, _ => new List<double>());
var errors = direct.Errors + routed.Errors;
for (var round = 0; round < rounds; round++)
    foreach (var way in ways)
    {
        var (latencies, failed) = await OpenAsync(way.Url, null, rate, TimeSpan.FromSeconds(Math.Max(2, seconds / 2)), way.Token);
        open[way.Name].AddRange(latencies);
        errors += failed;
    }
var baseline = Percentiles(open["direct"]);
foreach (var way in ways)
{
    var (p50, p99) = Percentiles(open[way.Name]);
    Console.WriteLine($"{way.Name,-22}: p50 {p50,6:0.00} ms, p99 {p99,6:0.00} ms, {open[way.Name].Count} requests"
        + (way.Name == "direct" ? "" : $"; adds p50 {p50 - baseline.P50:+0.00;-0.00} ms, p99 {p99 - baseline.P99:+0.00;-0.00} ms"));
}

Console.WriteLine($"\n3. The router's ceiling: 32 callers × {Math.Max(2, seconds / 2)} s on GET /api/model/info");
var infoDirect = await ClosedAsync($"{replica}/api/model/info", null, 32, TimeSpan.FromSeconds(Math.Max(2, seconds / 2)), null);
var infoRouted = await ClosedAsync($"{portal.BaseUrl}/model/spread/api/model/info", null, 32, TimeSpan.FromSeconds(Math.Max(2, seconds / 2)), portal.Token);
Print("direct to one replica", infoDirect);
Print("route over three", infoRouted);
errors += infoDirect.Errors + infoRouted.Errors;
try { Directory.Delete(root, recursive: true); } catch (IOException) { }
return errors == 0 ? 0 : 1;

static (double P50, double P99) Percentiles(List<double> values)
{
    var all = values.Order().ToArray();
    return all.Length == 0 ? (0, 0) : (all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]);
}

static void Print(string what, Result r) =>
    Console.WriteLine($"{what,-22}: {r.PerSecond,7:0.0} req/s, p50 {r.P50,6:0.00} ms, p99 {r.P99,6:0.00} ms, {r.Count} requests, {r.Errors} errors");

static async Task<bool> Try(Func<Task<HttpResponseMessage>> call)
{
    try { using var r = await call(); return r.IsSuccessStatusCode; }
    catch (HttpRequestException) { return false; }
}

static HttpClient Client(int connections, string? token)
{
    var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections });
    // The router needs the caller's token like any API call; the replica itself is called without one.
    if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
    return http;
}

static async Task<double> CallAsync(HttpClient http, string url, string? payload)
{
    var start = Stopwatch.GetTimestamp();
    using var response = payload is null ? await http.GetAsync(url) : await http.PostAsync(url, new StringContent(payload, System.Text.Encoding.UTF8, "application/json"));
    await response.Content.ReadAsByteArrayAsync();
    var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    return response.IsSuccessStatusCode ? elapsed : -elapsed;
}

static async Task<Result> ClosedAsync(string url, string? payload, int clients, TimeSpan duration, string? token)
{
    using var http = Client(clients, token);
    var latencies = new List<double>[clients];
    var errors = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        latencies[c] = [];
        while (clock.Elapsed < duration)
        {
            var ms = await CallAsync(http, url, payload);
            if (ms < 0) Interlocked.Increment(ref errors);
            latencies[c].Add(Math.Abs(ms));
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return new Result(all.Length, all.Length / clock.Elapsed.TotalSeconds, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], errors);
}

// Requests start on a fixed schedule whether or not earlier ones have answered, as independent callers would send them.
static async Task<(List<double> Latencies, int Errors)> OpenAsync(string url, string? payload, int rate, TimeSpan duration, string? token)
{
    using var http = Client(256, token);
    var calls = new List<Task<double>>();
    var clock = Stopwatch.StartNew();
    var interval = TimeSpan.FromSeconds(1.0 / rate);
    for (var n = 0; clock.Elapsed < duration; n++)
    {
        var due = interval * n;
        if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
        calls.Add(CallAsync(http, url, payload));
    }
    var results = await Task.WhenAll(calls);
    return ([.. results.Select(Math.Abs)], results.Count(r => r < 0));
}

sealed record Result(int Count, double PerSecond, double P50, double P99, int Errors);
