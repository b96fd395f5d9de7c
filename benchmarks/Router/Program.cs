using System.Globalization;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Benchmarks.LogStreaming;

// Router benchmark: the iris model served by one local replica of the toolkit's prediction server; CLIENTS
// concurrent callers for SECONDS s call it directly, then through the portal's router (/model/{name}/…), with the
// same payload. Prints requests/s and p50/p99 latency for both, and the router's cost as ratios.
string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
var portalExe = Arg("--portal", "");
var seconds = int.Parse(Arg("--seconds", "20"), CultureInfo.InvariantCulture);
var clients = int.Parse(Arg("--clients", "8"), CultureInfo.InvariantCulture);
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
(await http.PostAsJsonAsync("/api/v1/deployments", new { name = "bench", project = "iris", model_version = "iris-clf/1", entry = "predict.py" })).EnsureSuccessStatusCode();

string? replica = null;
for (var i = 0; i < 240 && replica is null; i++)
{
    await Task.Delay(250);
    var d = await http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/bench");
    replica = d.GetProperty("replica_states").EnumerateArray().Select(r => r.GetProperty("endpoint")).FirstOrDefault(e => e.ValueKind == JsonValueKind.String).GetString();
}
if (replica is null) throw new TimeoutException("the replica did not start");
for (var i = 0; i < 240 && !(await Try(() => http.GetAsync("/model/bench/api/model/info"))); i++) await Task.Delay(250);

var payload = """{"columns": ["sepal_length", "sepal_width", "petal_length", "petal_width"], "data": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}""";
Console.WriteLine($"portal {portal.BaseUrl}; replica {replica}; {clients} clients × {seconds} s each way; payload {payload.Length} bytes");
var direct = await LoadAsync($"{replica}/api/model/invoke", payload, clients, TimeSpan.FromSeconds(seconds), null);
var routed = await LoadAsync($"{portal.BaseUrl}/model/bench/api/model/invoke", payload, clients, TimeSpan.FromSeconds(seconds), portal.Token);
Print("direct to the replica", direct);
Print("through the router", routed);
Console.WriteLine($"router / direct: throughput {routed.PerSecond / direct.PerSecond:0.00}×, p50 {routed.P50 / direct.P50:0.00}×, p99 {routed.P99 / direct.P99:0.00}×; router adds p50 {routed.P50 - direct.P50:0.0} ms");
try { Directory.Delete(root, recursive: true); } catch (IOException) { }
return direct.Errors + routed.Errors == 0 ? 0 : 1;

static void Print(string what, Result r) =>
    Console.WriteLine($"{what,-22}: {r.PerSecond,7:0.0} req/s, p50 {r.P50,6:0.0} ms, p99 {r.P99,6:0.0} ms, {r.Count} requests, {r.Errors} errors");

static async Task<bool> Try(Func<Task<HttpResponseMessage>> call)
{
    try { using var r = await call(); return r.IsSuccessStatusCode; }
    catch (HttpRequestException) { return false; }
}

static async Task<Result> LoadAsync(string url, string payload, int clients, TimeSpan duration, string? token)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients });
    // The router needs the caller's token like any API call; the replica itself is called without one.
    if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
    var latencies = new List<double>[clients];
    var errors = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        latencies[c] = [];
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync(url, new StringContent(payload, System.Text.Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
            latencies[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return new Result(all.Length, all.Length / clock.Elapsed.TotalSeconds, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], errors);
}

sealed record Result(int Count, double PerSecond, double P50, double P99, int Errors);
