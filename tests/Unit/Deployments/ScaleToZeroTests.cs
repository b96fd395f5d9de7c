using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Deployments.DeploymentTests;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Deployments;

/// <summary>
/// Scale to zero on real deployments: an idle one stops its replicas, the next request starts them and is answered; a
/// wake-up slower than router.cold_start_seconds gets 503 with Retry-After, and the one after it is answered.
/// </summary>
public sealed class ScaleToZeroTests
{
    private static async Task<JsonElement> WaitForAsync(HttpClient http, string name, Func<JsonElement, bool> done, int seconds = 60)
    {
        JsonElement d = default;
        for (var i = 0; i < seconds * 4; i++)
        {
            d = await http.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{name}");
            if (done(d)) return d;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name}: {d}");
    }

    private static int Running(JsonElement d) => d.GetProperty("replica_states").ValueKind == JsonValueKind.Array
        ? d.GetProperty("replica_states").EnumerateArray().Count(r => r.GetProperty("endpoint").ValueKind == JsonValueKind.String) : -1;

    [SkippableTheory]
    [InlineData("local")]
    [InlineData("swarm")]
    public async Task An_idle_deployment_sleeps_and_answers_the_first_request_after_it_with_the_cold_start_recorded(string manager)
    {
        if (manager == "swarm") await RealDocker.RequireNotebookBaseAsync();
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync(manager);
        try
        {
            var created = await portal.Http.PostAsJsonAsync("/api/v1/deployments", new
            {
                name = "iris-sleepy", project = "iris", model_version = "iris-clf/1", entry = "predict.py", min_replicas = 0, idle_minutes = 0.05,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(0, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("min_replicas").GetInt32());
            await WaitUntilServingAsync(portal.Http, "iris-sleepy");

            // Three idle seconds later it sleeps: no replica runs.
            var asleep = await WaitForAsync(portal.Http, "iris-sleepy", d => d.GetProperty("sleeping").GetBoolean() && Running(d) == 0);
            Assert.Equal(1, asleep.GetProperty("replicas").GetInt32());

            using var answer = await InvokeAsync(portal.Http, "iris-sleepy");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("setosa", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prediction")[0][0].GetString());
            var awake = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-sleepy");
            Assert.False(awake.GetProperty("sleeping").GetBoolean());
            Assert.True(awake.GetProperty("cold_start_ms").GetDouble() > 0, awake.ToString());

            // Turned off, it stays awake.
            (await portal.Http.PutAsJsonAsync("/api/v1/deployments/iris-sleepy/scale-to-zero", new { min_replicas = 1 })).EnsureSuccessStatusCode();
            await Task.Delay(4000);
            Assert.False((await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-sleepy")).GetProperty("sleeping").GetBoolean());
            var bad = await portal.Http.PutAsJsonAsync("/api/v1/deployments/iris-sleepy/scale-to-zero", new { min_replicas = 0, idle_minutes = 0.001 });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("idle_minutes", await bad.Content.ReadAsStringAsync());
        }
        finally { await RemoveDeploymentsAsync(portal); }
    }

    [SkippableFact]
    public async Task A_wake_up_slower_than_the_bound_gets_503_with_retry_after_and_a_later_request_is_answered()
    {
        RealPython.Require();
        await using var portal = await StartWithIrisVersionAsync("local", extraYaml: "router:\n  cold_start_seconds: 2\n");
        // Prediction code that loads slowly once a marker file exists: the first start is quick, the wake-up is not.
        var home = Path.Combine(portal.Dir.Path, "slow-start");
        Directory.CreateDirectory(home);
        var marker = Path.Combine(home, "slow");
        await File.WriteAllTextAsync(Path.Combine(home, "predict.py"), await File.ReadAllTextAsync(Path.Combine(IrisDir, "predict.py"))
            + $"\n\nimport time\n_load = load\n\n\ndef load(model_dir):\n    if os.path.exists({JsonSerializer.Serialize(marker)}):\n        time.sleep(6)\n    return _load(model_dir)\n");
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "slow", home_dir = home, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/deployments", new
        {
            name = "iris-slow", project = "slow", model_version = "iris-clf/1", entry = "predict.py", min_replicas = 0, idle_minutes = 0.05,
        })).EnsureSuccessStatusCode();
        await WaitUntilServingAsync(portal.Http, "iris-slow");
        await File.WriteAllTextAsync(marker, "");
        await WaitForAsync(portal.Http, "iris-slow", d => d.GetProperty("sleeping").GetBoolean());

        using (var refused = await InvokeAsync(portal.Http, "iris-slow"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("asleep", await refused.Content.ReadAsStringAsync());
        }
        await WaitForAsync(portal.Http, "iris-slow", d => d.GetProperty("cold_start_ms").ValueKind == JsonValueKind.Number, seconds: 30);
        using var answered = await InvokeAsync(portal.Http, "iris-slow");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }
}
