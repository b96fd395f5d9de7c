using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Deployments.DeploymentTests;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Routes;

/// <summary>
/// Routes over real deployments (the iris model served by the toolkit's prediction server as local processes): weights
/// measured over a thousand requests, a shadow that sees every request without slowing the caller, sticky callers,
/// weights changed under load, and feedback through a route labelling both the answer and the shadow's copy.
/// </summary>
public sealed class RouteTests
{
    private static async Task DeployAsync(RealPortalHost portal, string name, string project = "iris", string entry = "predict.py")
    {
        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name, project, model_version = "iris-clf/1", entry })).EnsureSuccessStatusCode();
        await WaitUntilServingAsync(portal.Http, name);
    }

    private static async Task<JsonElement> TrafficAsync(HttpClient http, string route, int expected)
    {
        JsonElement body = default;
        // The router records in batches in the background: wait until every request is counted.
        for (var i = 0; i < 100; i++)
        {
            body = await http.GetFromJsonAsync<JsonElement>($"/api/v1/routes/{route}");
            if (body.GetProperty("traffic").EnumerateArray().Where(t => !t.GetProperty("shadow").GetBoolean()).Sum(t => t.GetProperty("requests").GetInt32()) >= expected
                && body.GetProperty("traffic").EnumerateArray().Where(t => t.GetProperty("shadow").GetBoolean()).All(t => t.GetProperty("requests").GetInt32() >= expected))
                return body;
            await Task.Delay(200);
        }
        return body;
    }

    private static int RequestsOf(JsonElement route, string deployment, bool shadow = false) => route.GetProperty("traffic").EnumerateArray()
        .Single(t => t.GetProperty("deployment").GetString() == deployment && t.GetProperty("shadow").GetBoolean() == shadow).GetProperty("requests").GetInt32();

    private static async Task<(int Failed, List<double> Latencies)> LoadAsync(HttpClient http, string route, int requests, int callers,
        Func<int, string?>? sticky = null)
    {
        var failed = 0;
        var latencies = new List<double>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/model/{route}/api/model/invoke")
                    { Content = JsonContent.Create(new { columns = Columns, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } }) };
                if (sticky?.Invoke(i) is { } key) request.Headers.Add("X-User", key);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies) latencies.Add(elapsed);
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failed);
            }
        }));
        return (failed, latencies);
    }

    [SkippableTheory]
    [InlineData("local")]
    [InlineData("swarm")]
    public async Task A_90_10_route_splits_a_thousand_requests_within_3_points_and_its_shadow_sees_every_one(string manager)
    {
        if (manager == "swarm") await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync(manager);
        try
        {
            foreach (var name in new[] { "iris-a", "iris-b", "iris-shadow" }) await DeployAsync(portal, name);

            var created = await portal.Http.PostAsJsonAsync("/api/v1/routes", new
            {
                name = "iris", targets = new[] { new { deployment = "iris-a", weight = 90 }, new { deployment = "iris-b", weight = 10 } }, shadow = "iris-shadow",
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var (failed, _) = await LoadAsync(portal.Http, "iris", 1000, 8);
            Assert.Equal(0, failed);
            var route = await TrafficAsync(portal.Http, "iris", 1000);
            var a = RequestsOf(route, "iris-a");
            Assert.Equal(1000, a + RequestsOf(route, "iris-b"));
            Assert.InRange(a, 870, 930);
            Assert.Equal(1000, RequestsOf(route, "iris-shadow", shadow: true));

            // Feedback through the route labels the answer and the shadow's copy: both share the caller's Request-ID.
            using (var invoke = await InvokeAsync(portal.Http, "iris", "labelled-1")) Assert.Equal(HttpStatusCode.OK, invoke.StatusCode);
            await TrafficAsync(portal.Http, "iris", 1001);
            using (var feedback = new HttpRequestMessage(HttpMethod.Post, "/feedback/model/iris") { Content = new StringContent("""{"truth": ["setosa"]}""") })
            {
                feedback.Headers.Add("Request-ID", "labelled-1");
                Assert.Equal(HttpStatusCode.OK, (await portal.Http.SendAsync(feedback)).StatusCode);
            }
            var labelled = new List<string>();
            foreach (var name in new[] { "iris-a", "iris-b", "iris-shadow" })
            {
                var recent = await portal.Http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}/requests?take=1000");
                labelled.AddRange(recent.GetProperty("recent").EnumerateArray()
                    .Where(r => r.GetProperty("request_id").GetString() == "labelled-1" && r.GetProperty("feedback").ValueKind == JsonValueKind.String)
                    .Select(_ => name));
            }
            Assert.Equal(2, labelled.Count);
            Assert.Contains("iris-shadow", labelled);

            // A deployment a route sends requests to is not removed from under it.
            var remove = await portal.Http.DeleteAsync("/api/v1/deployments/iris-b");
            Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
            Assert.Contains("'iris'", await remove.Content.ReadAsStringAsync());
        }
        finally { await RemoveDeploymentsAsync(portal); }
    }

    [SkippableFact]
    public async Task Sticky_callers_keep_one_target_and_new_weights_apply_under_load_without_a_failed_request()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local");
        foreach (var name in new[] { "iris-a", "iris-b" }) await DeployAsync(portal, name);
        (await portal.Http.PostAsJsonAsync("/api/v1/routes", new
        {
            name = "iris", targets = new[] { new { deployment = "iris-a", weight = 50 }, new { deployment = "iris-b", weight = 50 } }, sticky_header = "X-User",
        })).EnsureSuccessStatusCode();

        // 20 callers, 10 requests each, by Request-ID: every caller's requests are all in one deployment's records.
        for (var user = 0; user < 20; user++)
            for (var i = 0; i < 10; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/model/iris/api/model/invoke")
                    { Content = JsonContent.Create(new { columns = Columns, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } }) };
                request.Headers.Add("X-User", $"user-{user}");
                request.Headers.Add("Request-ID", $"u{user}-{i}");
                using var response = await portal.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        await TrafficAsync(portal.Http, "iris", 200);
        var served = new Dictionary<string, string>();
        foreach (var name in new[] { "iris-a", "iris-b" })
            foreach (var r in (await portal.Http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}/requests?take=1000")).GetProperty("recent").EnumerateArray())
                served[r.GetProperty("request_id").GetString()!] = name;
        var byUser = Enumerable.Range(0, 20).Select(u => Enumerable.Range(0, 10).Select(i => served[$"u{u}-{i}"]).Distinct().Count()).ToList();
        Assert.All(byUser, targets => Assert.Equal(1, targets));
        // Both targets got callers (20 keys at 50/50 all landing on one side would be a broken hash).
        Assert.Equal(2, served.Values.Distinct().Count());

        // The same by a field of the JSON body, for callers that cannot set a header.
        (await portal.Http.PostAsJsonAsync("/api/v1/routes", new
        {
            name = "iris-body", targets = new[] { new { deployment = "iris-a", weight = 50 }, new { deployment = "iris-b", weight = 50 } }, sticky_key = "user_id",
        })).EnsureSuccessStatusCode();
        for (var user = 0; user < 20; user++)
            for (var i = 0; i < 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/model/iris-body/api/model/invoke")
                    { Content = JsonContent.Create(new { user_id = $"user-{user}", columns = Columns, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } }) };
                request.Headers.Add("Request-ID", $"b{user}-{i}");
                using var response = await portal.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        await TrafficAsync(portal.Http, "iris-body", 100);
        foreach (var name in new[] { "iris-a", "iris-b" })
            foreach (var r in (await portal.Http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}/requests?take=1000")).GetProperty("recent").EnumerateArray())
                served[r.GetProperty("request_id").GetString()!] = name;
        Assert.All(Enumerable.Range(0, 20), u => Assert.Single(Enumerable.Range(0, 5).Select(i => served[$"b{u}-{i}"]).Distinct()));
        Assert.Equal(2, Enumerable.Range(0, 20).Select(u => served[$"b{u}-0"]).Distinct().Count());
        (await portal.Http.DeleteAsync("/api/v1/routes/iris-body")).EnsureSuccessStatusCode();

        // Weights change while requests flow: none fails, and after the change every request goes to iris-b.
        var load = LoadAsync(portal.Http, "iris", 400, 4);
        await Task.Delay(300);
        var change = await portal.Http.PutAsJsonAsync("/api/v1/routes/iris", new
        {
            targets = new[] { new { deployment = "iris-a", weight = 0 }, new { deployment = "iris-b", weight = 100 } },
        });
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal(0, (await load).Failed);
        var before = RequestsOf(await TrafficAsync(portal.Http, "iris", 600), "iris-a");
        Assert.Equal(0, (await LoadAsync(portal.Http, "iris", 50, 2)).Failed);
        Assert.Equal(before, RequestsOf(await TrafficAsync(portal.Http, "iris", 650), "iris-a"));
    }

    [SkippableFact]
    public async Task A_slow_shadow_does_not_slow_the_caller()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local");
        // The shadow's prediction code waits two seconds per request; a caller that waited for it would wait as long.
        var slowHome = Path.Combine(portal.Dir.Path, "slow");
        Directory.CreateDirectory(slowHome);
        await File.WriteAllTextAsync(Path.Combine(slowHome, "predict.py"), await File.ReadAllTextAsync(Path.Combine(IrisDir, "predict.py"))
            + "\n\nimport time\n_fast = predict\n\n\ndef predict(model, frame):\n    time.sleep(2)\n    return _fast(model, frame)\n");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "slow", home_dir = slowHome, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await DeployAsync(portal, "iris-a");
        await DeployAsync(portal, "iris-slow", project: "slow");
        (await portal.Http.PostAsJsonAsync("/api/v1/routes", new { name = "iris", targets = new[] { new { deployment = "iris-a", weight = 100 } }, shadow = "iris-slow" }))
            .EnsureSuccessStatusCode();

        // Warm: the route table, the replicas' addresses and the connections are read and opened by the first requests.
        Assert.Equal(0, (await LoadAsync(portal.Http, "iris", 5, 1)).Failed);
        var (failed, latencies) = await LoadAsync(portal.Http, "iris", 50, 1);
        Assert.Equal(0, failed);
        var sorted = latencies.Order().ToList();
        // The median, not the tail: on a busy machine a request may stall for other reasons, but waiting for the shadow
        // would put every one above two seconds. The tail's cost is measured by benchmarks/router.sh.
        Assert.True(sorted[sorted.Count / 2] < 1000, $"the caller's median was {sorted[sorted.Count / 2]:0} ms (p99 {sorted[^1]:0} ms) with a shadow that takes 2 s");
        var slow = (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/routes/iris")).GetProperty("traffic").EnumerateArray()
            .Single(t => t.GetProperty("shadow").GetBoolean());
        Assert.True(slow.GetProperty("requests").GetInt32() < 55, "the shadow's copies are still being answered when the caller is done");
    }

    [SkippableFact]
    public async Task Bad_routes_are_refused_by_field_and_a_route_cannot_take_a_deployments_name()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local");
        await DeployAsync(portal, "iris-a");
        var refused = await portal.Http.PostAsJsonAsync("/api/v1/routes", new
        {
            name = "iris-a", targets = new[] { new { deployment = "iris-a", weight = 80 }, new { deployment = "nope", weight = 30 } },
            shadow = "iris-a", sticky_header = "X User", sticky_key = "user.id",
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "targets", "targets[1].deployment", "shadow", "sticky_header", "sticky_key" }) Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Contains("add up to 110", errors.GetProperty("targets")[0].GetString());

        (await portal.Http.PostAsJsonAsync("/api/v1/routes", new { name = "iris", targets = new[] { new { deployment = "iris-a", weight = 100 } } })).EnsureSuccessStatusCode();
        var clash = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris", project = "iris", model_version = "iris-clf/1", entry = "predict.py" });
        Assert.Equal(HttpStatusCode.BadRequest, clash.StatusCode);
        Assert.Contains("route's name", await clash.Content.ReadAsStringAsync());
        // A viewer reads routes but may not change them.
        using var viewer = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        viewer.UseToken(await TestIdentities.TokenAsync(portal.Services, "vera", Portal.Core.Security.Roles.Viewer));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/routes/iris")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/v1/routes/iris")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await portal.Http.DeleteAsync("/api/v1/routes/iris")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/model/iris/api/model/info")).StatusCode);
    }
}
