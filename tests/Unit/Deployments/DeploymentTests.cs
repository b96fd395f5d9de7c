using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Deployments;

/// <summary>
/// Deployments through the API and the router: a real scikit-learn model served by the toolkit's prediction
/// server, as replicas on the real swarm (and as a local process), invoked through /model/{name}/….
/// </summary>
public sealed class DeploymentTests
{
    private static readonly object[] Rows = [new[] { 5.1, 3.5, 1.4, 0.2 }, new[] { 6.7, 3.0, 5.2, 2.3 }];

    internal static async Task<RealPortalHost> StartWithIrisVersionAsync(string manager, string managerYaml = "", string extraYaml = "")
    {
        var portal = await RealPortalHost.StartAsync(manager: manager, managerYaml: managerYaml, extraYaml: extraYaml);
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        await UploadIrisVersionAsync(portal, compress: false);
        return portal;
    }

    /// <summary>A real classifier pickled by Debian's scikit-learn (the same the base image has), uploaded as the next version.</summary>
    internal static async Task UploadIrisVersionAsync(RealPortalHost portal, bool compress)
    {
        var pickle = Path.Combine(portal.Dir.Path, $"model-{Guid.NewGuid():N}.pkl");
        await RealPython.PickleIrisClassifierAsync(pickle);
        var form = new MultipartFormDataContent { { new StringContent(compress ? "true" : "false"), "compress" } };
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(pickle));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "files", "model.pkl");
        (await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", form)).EnsureSuccessStatusCode();
    }

    private static async Task<JsonElement> WaitForReplicasAsync(HttpClient http, string name, int count)
    {
        for (var i = 0; i < 240; i++)
        {
            var d = await http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}");
            if (d.GetProperty("replica_states").EnumerateArray().Count(r => r.GetProperty("endpoint").ValueKind == JsonValueKind.String) == count) return d;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not reach {count} running replicas");
    }

    /// <summary>
    /// Removes the portal's routes and deployments: a swarm service outlives the test's portal, and one left behind keeps
    /// restarting and holds the node's reservations from the tests after it.
    /// </summary>
    internal static async Task RemoveDeploymentsAsync(RealPortalHost portal)
    {
        foreach (var route in (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/routes")).EnumerateArray())
            await portal.Http.DeleteAsync($"/api/v1/routes/{route.GetProperty("name").GetString()}");
        foreach (var d in (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments?take=500")).GetProperty("items").EnumerateArray())
            await portal.Http.DeleteAsync($"/api/v1/deployments/{d.GetProperty("name").GetString()}");
    }

    internal static async Task WaitUntilServingAsync(HttpClient http, string name)
    {
        HttpResponseMessage? last = null;
        for (var i = 0; i < 240; i++)
        {
            last = await http.GetAsync($"/model/{name}/api/model/info");
            if (last.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(250);
        }
        // What the router last said and what the portal knows of the replicas: CI keeps only this message.
        throw new TimeoutException($"{name} did not start serving; the router last answered {(int)last!.StatusCode}: {await last.Content.ReadAsStringAsync()}\n"
            + await http.GetStringAsync($"/api/v1/deployments/{name}"));
    }

    internal static Task<HttpResponseMessage> InvokeAsync(HttpClient http, string name, string? requestId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/model/{name}/api/model/invoke") { Content = JsonContent.Create(new { columns = Columns, data = Rows }) };
        if (requestId is not null) request.Headers.Add("Request-ID", requestId);
        return http.SendAsync(request);
    }

    [SkippableFact]
    public async Task Two_replicas_on_the_swarm_serve_real_predictions_through_the_router_record_them_take_feedback_and_scale()
    {
        await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        // The whole path: the iris training publishes version 1 from its container, it is promoted, then served in test.
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name = "rf", notebook = "train.ipynb", parameters = new { n_estimators = 10, publish_model = "iris-clf" } })).EnsureSuccessStatusCode();
        await AssertFinishesAsync(portal.Http, "iris", "rf", 180);
        var notYet = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-api", project = "iris", model_version = "iris-clf/1", entry = "predict.py", environment = "test" });
        Assert.Equal(HttpStatusCode.BadRequest, notYet.StatusCode);
        (await portal.Http.PostAsJsonAsync("/api/v1/models/iris-clf/versions/1/promote", new { environment = "test", comment = "accuracy ok" })).EnsureSuccessStatusCode();
        var created = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-api", project = "iris", model_version = "iris-clf/1", entry = "predict.py", environment = "test", replicas = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await WaitForReplicasAsync(portal.Http, "iris-api", 2);
        await WaitUntilServingAsync(portal.Http, "iris-api");

        var info = await portal.Http.GetFromJsonAsync<JsonElement>("/model/iris-api/api/model/info");
        Assert.Equal("iris-clf", info.GetProperty("model").GetString());
        Assert.Equal("1", info.GetProperty("version").GetString());
        string? lastId = null;
        for (var i = 0; i < 20; i++)
        {
            using var response = await InvokeAsync(portal.Http, "iris-api");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["setosa", "virginica"], body.GetProperty("prediction").EnumerateArray().Select(r => r[0].GetString()));
            Assert.Equal("species", body.GetProperty("columns")[0].GetString());
            lastId = response.Headers.GetValues("Request-ID").Single();
        }
        using (var mine = await InvokeAsync(portal.Http, "iris-api", "caller-chosen-id-1"))
            Assert.Equal("caller-chosen-id-1", mine.Headers.GetValues("Request-ID").Single());

        var bad = await portal.Http.PostAsJsonAsync("/model/iris-api/api/model/invoke", new { columns = new[] { "x" }, data = new[] { new[] { 1, 2 } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("error", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        using (var feedback = new HttpRequestMessage(HttpMethod.Post, "/feedback/model/iris-api") { Content = new StringContent("""{"truth": ["setosa", "virginica"]}""") })
        {
            feedback.Headers.Add("Request-ID", lastId);
            Assert.Equal(HttpStatusCode.OK, (await portal.Http.SendAsync(feedback)).StatusCode);
        }
        using (var unknown = new HttpRequestMessage(HttpMethod.Post, "/feedback/model/iris-api") { Content = new StringContent("{}") })
        {
            unknown.Headers.Add("Request-ID", "never-seen");
            Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.SendAsync(unknown)).StatusCode);
        }

        var requests = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-api/requests?take=100");
        var recent = requests.GetProperty("recent").EnumerateArray().ToList();
        Assert.Contains(recent, r => r.GetProperty("request_id").GetString() == lastId && r.GetProperty("feedback").GetString()!.Contains("truth"));
        Assert.Equal(2, recent.Where(r => r.GetProperty("path").GetString() == "api/model/invoke").Select(r => r.GetProperty("replica").GetString()).Distinct().Count());
        Assert.All(recent, r => Assert.Equal("iris-clf/1", r.GetProperty("model_version").GetString()));
        Assert.True(requests.GetProperty("p99_ms").GetDouble() > 0);
        Assert.InRange(requests.GetProperty("error_rate").GetDouble(), 0.01, 0.2);

        Assert.Equal(HttpStatusCode.OK, (await portal.Http.PostAsJsonAsync("/api/v1/deployments/iris-api/scale", new { replicas = 3 })).StatusCode);
        await WaitForReplicasAsync(portal.Http, "iris-api", 3);
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.PostAsJsonAsync("/api/v1/deployments/iris-api/scale", new { replicas = 1 })).StatusCode);
        await WaitForReplicasAsync(portal.Http, "iris-api", 1);
        using (var afterScale = await InvokeAsync(portal.Http, "iris-api")) Assert.Equal(HttpStatusCode.OK, afterScale.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await portal.Http.DeleteAsync("/api/v1/deployments/iris-api")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await InvokeAsync(portal.Http, "iris-api")).StatusCode);
    }

    [SkippableFact]
    public async Task A_local_process_serves_the_version_and_bad_deployments_are_refused_with_reasons()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local");

        var refused = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new
        {
            name = "Bad Name", project = "iris", model_version = "iris-clf/1", entry = "../predict.py", environment = "prod", replicas = 0, port = 80,
            health = new { interval = 0 },
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "entry", "replicas", "port", "health.interval" }) Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Contains("not promoted to 'prod'", errors.GetProperty("model_version")[0].GetString());

        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-local", project = "iris", model_version = "iris-clf/1", entry = "predict.py" })).EnsureSuccessStatusCode();
        var deployed = await WaitForReplicasAsync(portal.Http, "iris-local", 1);
        await WaitUntilServingAsync(portal.Http, "iris-local");
        // The replica answers on loopback only: nobody on the network reaches it without the router.
        var port = new Uri(deployed.GetProperty("replica_states")[0].GetProperty("endpoint").GetString()!).Port;
        var listening = File.ReadAllLines("/proc/net/tcp").Skip(1).Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[3] == "0A" && f[1].EndsWith($":{port:X4}", StringComparison.Ordinal)).Select(f => f[1].Split(':')[0]).ToList();
        Assert.Equal(["0100007F"], listening);
        using var response = await InvokeAsync(portal.Http, "iris-local");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("setosa", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prediction")[0][0].GetString());
        var scale = await portal.Http.PostAsJsonAsync("/api/v1/deployments/iris-local/scale", new { replicas = 2 });
        // More replicas than the local manager runs is the user's to fix: a 400 on the field, naming the deployment.
        Assert.Equal(HttpStatusCode.BadRequest, scale.StatusCode);
        Assert.Contains("'iris-local' can run 1, or 0 to stop it", await scale.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/model/nope/api/model/info")).StatusCode);
    }

    [SkippableFact]
    public async Task A_replica_killed_by_hand_is_replaced_and_the_router_answers_every_request_meanwhile()
    {
        await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("swarm");
        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-kill", project = "iris", model_version = "iris-clf/1", entry = "predict.py", replicas = 2 })).EnsureSuccessStatusCode();
        await WaitForReplicasAsync(portal.Http, "iris-kill", 2);
        await WaitUntilServingAsync(portal.Http, "iris-kill");

        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sent = 0;
        async Task CallerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await InvokeAsync(portal.Http, "iris-kill");
                Interlocked.Increment(ref sent);
                if (response.StatusCode != HttpStatusCode.OK) failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        var callers = new[] { Task.Run(CallerAsync), Task.Run(CallerAsync) };
        await Task.Delay(500);

        // As an operator (or the OOM killer) would: SIGKILL one replica's container behind the portal's back.
        var installation = portal.Services.GetRequiredService<Portal.Core.Configuration.InstallationId>().Value;
        using var docker = RealDocker.Client();
        var replicas = await docker.Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"io.mlops-portal.name=iris-kill"] = true, [$"io.mlops-portal.installation={installation}"] = true },
            },
        });
        Assert.Equal(2, replicas.Count);
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        await docker.Client.Containers.KillContainerAsync(replicas[0].ID, new Docker.DotNet.Models.ContainerKillParameters { Signal = "SIGKILL" });

        // The engine replaces it (the service's restart policy); the portal shows two running replicas again.
        var replaced = false;
        for (var i = 0; i < 240 && !replaced; i++)
        {
            await Task.Delay(250);
            var d = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-kill");
            var endpoints = d.GetProperty("replica_states").EnumerateArray().Where(r => r.GetProperty("state").GetString() == "RUNNING").ToList();
            replaced = endpoints.Count == 2 && (await docker.Client.Containers.InspectContainerAsync(replicas[0].ID)).State?.Running != true;
        }
        Assert.True(replaced, "the killed replica was not replaced");
        await WaitUntilServingAsync(portal.Http, "iris-kill");
        Console.WriteLine($"replica killed: two running replicas again after {killedAt.ElapsedMilliseconds} ms");
        await Task.Delay(2000);
        stop.Cancel();
        await Task.WhenAll(callers);
        Assert.True(sent > 20, $"only {sent} requests were sent");
        Assert.Empty(failures);
    }

    [SkippableFact]
    public async Task A_replica_count_changed_on_the_engine_behind_the_portals_back_is_set_back_and_audited()
    {
        await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("swarm", "reconcile_seconds: 1");
        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-drift", project = "iris", model_version = "iris-clf/1", entry = "predict.py", replicas = 2 })).EnsureSuccessStatusCode();
        await WaitForReplicasAsync(portal.Http, "iris-drift", 2);

        var installation = portal.Services.GetRequiredService<Portal.Core.Configuration.InstallationId>().Value;
        var service = (await portal.Services.GetRequiredService<Portal.Core.Containers.IContainerManager>().ListOwnedAsync(CancellationToken.None))
            .Single(w => w.Labels.GetValueOrDefault("io.mlops-portal.installation") == installation && w.Labels.GetValueOrDefault("io.mlops-portal.name") == "iris-drift");
        await Portal.Tests.Shared.TestEnvironment.RunAsync("docker", null, "service", "scale", "--detach", $"{service.Id}=1");

        var restored = false;
        for (var i = 0; i < 240 && !restored; i++)
        {
            await Task.Delay(250);
            var audit = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=deployment.restore-replicas");
            restored = audit.GetProperty("items").GetArrayLength() == 1;
        }
        Assert.True(restored, "the drifted replica count was not set back");
        await WaitForReplicasAsync(portal.Http, "iris-drift", 2);
        Assert.Equal(2, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-drift")).GetProperty("replicas").GetInt32());
    }

    [SkippableFact]
    public async Task Switching_the_version_rolls_the_replicas_without_a_failed_request()
    {
        await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("swarm");
        await UploadIrisVersionAsync(portal, compress: true);
        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "iris-roll", project = "iris", model_version = "iris-clf/1", entry = "predict.py", replicas = 2 })).EnsureSuccessStatusCode();
        await WaitForReplicasAsync(portal.Http, "iris-roll", 2);
        await WaitUntilServingAsync(portal.Http, "iris-roll");

        // Requests keep coming from two callers for the whole roll; every answer must be a prediction.
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sent = 0;
        async Task CallerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await InvokeAsync(portal.Http, "iris-roll");
                Interlocked.Increment(ref sent);
                if (response.StatusCode != HttpStatusCode.OK) failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        var callers = new[] { Task.Run(CallerAsync), Task.Run(CallerAsync) };

        var switched = await portal.Http.PostAsJsonAsync("/api/v1/deployments/iris-roll/version", new { model_version = "iris-clf/2" });
        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        Assert.Equal("iris-clf/2", (await switched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model_version").GetString());
        var inARow = 0;
        for (var i = 0; i < 600 && inARow < 20; i++)
        {
            using var answer = await portal.Http.GetAsync("/model/iris-roll/api/model/info");
            Assert.True(answer.IsSuccessStatusCode, $"info answered {(int)answer.StatusCode} during the roll: {await answer.Content.ReadAsStringAsync()}\n"
                + await portal.Http.GetStringAsync("/api/v1/deployments/iris-roll"));
            var info = await answer.Content.ReadFromJsonAsync<JsonElement>();
            inARow = info.GetProperty("version").GetString() == "2" ? inARow + 1 : 0;
            await Task.Delay(100);
        }
        Assert.Equal(20, inARow);
        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(callers);

        Assert.True(sent > 50, $"only {sent} requests were sent during the roll");
        Assert.Empty(failures);
        await WaitForReplicasAsync(portal.Http, "iris-roll", 2);
    }

    [SkippableFact]
    public async Task A_notebook_that_defines_predict_is_served_too_and_auto_scale_is_refused_where_unsupported()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync(
            "  resource_profiles:\n    elastic: {requests: {cpu: 0.1, memory: 64}, limits: {cpu: 1, memory: 512}, auto_scale: true, minReplicas: 1, maxReplicas: 3}\n",
            manager: "local");
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "summer" })).EnsureSuccessStatusCode();
        var home = WriteNotebook(portal.Dir, "nbproj", "scale = 1",
            "%matplotlib inline\nimport json, os\nweights = json.load(open(os.path.join(model_dir, 'weights.json')))",
            "def predict(frame):\n    return (frame.sum(axis=1) * weights['factor'] * scale).tolist()");
        File.Move(Path.Combine(home, "nb.ipynb"), Path.Combine(home, "predict.ipynb"));
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "nbproj", home_dir = home, models = new[] { "summer" } })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent();
        form.Add(new StringContent("""{"factor": 10}"""), "files", "weights.json");
        (await portal.Http.PostAsync("/api/v1/models/summer/versions", form)).EnsureSuccessStatusCode();

        var elastic = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "elastic", project = "nbproj", model_version = "summer/1", entry = "predict.ipynb", resource_profile = "elastic" });
        Assert.Equal(HttpStatusCode.BadRequest, elastic.StatusCode);
        Assert.Contains("auto_scale", (await elastic.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("resource_profile")[0].GetString());

        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new { name = "summer-api", project = "nbproj", model_version = "summer/1", entry = "predict.ipynb" })).EnsureSuccessStatusCode();
        await WaitForReplicasAsync(portal.Http, "summer-api", 1);
        await WaitUntilServingAsync(portal.Http, "summer-api");
        var answer = await portal.Http.PostAsJsonAsync("/model/summer-api/api/model/invoke", new { columns = new[] { "a", "b" }, data = new[] { new[] { 1, 2 }, new[] { 3, 4 } } });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([30, 70], body.GetProperty("prediction").EnumerateArray().Select(r => r[0].GetInt32()));
        Assert.Equal("prediction", body.GetProperty("columns")[0].GetString());
    }
}
