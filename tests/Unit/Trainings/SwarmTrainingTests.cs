using Portal.Core.Configuration;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Containers;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Trainings;

/// <summary>
/// Trainings on the real engine: the iris example is built FROM the notebook base image, runs as a swarm job (or a
/// plain container) with the nha-train profile, reports back over the host network, survives a portal restart,
/// and can be cancelled.
/// </summary>
public sealed class SwarmTrainingTests
{
    private static async Task<RealPortalHost> StartWithBuiltIrisAsync(string manager = "swarm")
    {
        var portal = await RealPortalHost.StartAsync(manager: manager);
        await CreateProjectAsync(portal.Http, "iris", IrisDir);
        var started = await portal.Http.PostAsJsonAsync("/api/v1/projects/iris/builds", new { tag = "latest" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        for (var i = 0; i < 600; i++)
        {
            var run = await portal.Http.GetFromJsonAsync<JsonElement>($"/api/v1/builds/{id}");
            if (run.GetProperty("state").GetString() == "SUCCEEDED") return portal;
            Assert.NotEqual("FAILED", run.GetProperty("state").GetString());
            await Task.Delay(250);
        }
        throw new TimeoutException("the iris build did not end");
    }

    private static async Task<string> WaitForLogAsync(HttpClient http, string project, string name, string text)
    {
        for (var i = 0; i < 480; i++)
        {
            var log = await http.GetStringAsync($"/api/v1/trainings/{project}/{name}/log");
            if (log.Contains(text)) return log;
            await Task.Delay(250);
        }
        throw new TimeoutException($"'{text}' did not appear in the log of {name}");
    }

    private static async Task<IReadOnlyList<WorkloadInfo>> OwnedTrainingsAsync(RealPortalHost portal, string trainingId) =>
        (await portal.Services.GetRequiredService<IContainerManager>().ListOwnedAsync(CancellationToken.None))
            // Other tests' portals share the engine, and their records have the same ids: only this portal's count.
            .Where(w => w.Labels.GetValueOrDefault(PortalLabels.Installation) == portal.Services.GetRequiredService<InstallationId>().Value
                && w.Labels.GetValueOrDefault(PortalLabels.Kind) == "training" && w.Labels.GetValueOrDefault(PortalLabels.RecordId) == trainingId
                && w.Labels.GetValueOrDefault(PortalLabels.Project) == "iris")
            .ToList();

    [SkippableTheory]
    [InlineData("swarm")]
    [InlineData("docker")]
    public async Task The_iris_example_built_from_the_base_image_trains_on_the_engine(string manager)
    {
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await StartWithBuiltIrisAsync(manager);
        var launched = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "on-swarm", notebook = "train.ipynb", build_tag = "latest", resource_profile = "nha-train",
            parameters = new { n_estimators = 20, note = "ünïcode" },
        });
        Assert.True(launched.StatusCode == HttpStatusCode.Created, await launched.Content.ReadAsStringAsync());

        var t = await AssertFinishesAsync(portal.Http, "iris", "on-swarm", 180);
        Assert.Equal(manager, t.GetProperty("manager").GetString());
        Assert.Equal("latest", t.GetProperty("build_tag").GetString());
        Assert.InRange(t.GetProperty("metrics").GetProperty("accuracy").GetDouble(), 0.8, 1.0);
        Assert.Equal(1.0, t.GetProperty("progress").GetDouble());
        var log = await portal.Http.GetStringAsync("/api/v1/trainings/iris/on-swarm/log");
        Assert.Contains("step 3: 20 trees", log);
        Assert.Contains("test accuracy", log);
        Assert.Contains("test accuracy", await portal.Http.GetStringAsync("/api/v1/trainings/iris/on-swarm/notebook.html"));
        // The supervisor records the end, then removes the workload: it is gone moments later.
        var owned = await OwnedTrainingsAsync(portal, "1");
        for (var i = 0; i < 40 && owned.Count > 0; i++)
        {
            await Task.Delay(250);
            owned = await OwnedTrainingsAsync(portal, "1");
        }
        Assert.Empty(owned);
    }

    [SkippableFact]
    public async Task A_failing_cell_on_the_swarm_fails_the_training_with_its_traceback()
    {
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var home = WriteNotebook(portal.Dir, "proj", "divisor = 1", "print('before', flush=True)", "print(10 / divisor)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "boom", notebook = "nb.ipynb", parameters = new { divisor = 0 } })).EnsureSuccessStatusCode();

        var t = await WaitForEndAsync(portal.Http, "p", "boom", 120);
        Assert.Equal("FAILED", t.GetProperty("state").GetString());
        Assert.Contains("Cell 3 failed: ZeroDivisionError", t.GetProperty("message").GetString());
        Assert.Contains("before", await portal.Http.GetStringAsync("/api/v1/trainings/p/boom/log"));
    }

    [SkippableTheory]
    [InlineData("swarm")]
    [InlineData("docker")]
    public async Task A_restarted_portal_keeps_following_a_training_that_runs_on(string manager)
    {
        await RealDocker.RequireNotebookBaseAsync();
        var portal = await StartWithBuiltIrisAsync(manager);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "survivor", notebook = "train.ipynb", build_tag = "latest", parameters = new { n_estimators = 10, pause = 3 },
        })).EnsureSuccessStatusCode();
        await WaitForLogAsync(portal.Http, "iris", "survivor", "training on");

        // The restarted portal listens where the running notebook reports to, as a real restart would.
        var address = portal.BaseAddress.Replace("://127.0.0.1:", "://0.0.0.0:", StringComparison.Ordinal);
        var dir = await portal.StopKeepingDataAsync();
        await using var restarted = await RealPortalHost.StartAsync(manager: manager, dir: dir, url: address);
        var t = await AssertFinishesAsync(restarted.Http, "iris", "survivor", 180);
        Assert.True(t.GetProperty("metrics").TryGetProperty("accuracy", out _), "metrics reported after the restart reach the new portal");
        var log = await restarted.Http.GetStringAsync("/api/v1/trainings/iris/survivor/log");
        Assert.Contains("training on", log);
        Assert.Contains("test accuracy", log);
        Assert.Equal(1, log.Split('\n').Count(l => l.Contains("test accuracy")));
    }

    [SkippableFact]
    public async Task Cancel_on_the_swarm_stops_the_job_and_removes_its_service()
    {
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var home = WriteNotebook(portal.Dir, "proj", "seconds = 1", "import time\nprint('sleeping', flush=True)\ntime.sleep(seconds)");
        await CreateProjectAsync(portal.Http, "p", home);
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "long", notebook = "nb.ipynb", parameters = new { seconds = 300 } })).EnsureSuccessStatusCode();
        await WaitForLogAsync(portal.Http, "p", "long", "sleeping");

        Assert.Equal(HttpStatusCode.Accepted, (await portal.Http.PostAsync("/api/v1/trainings/p/long/cancel", null)).StatusCode);
        var t = await WaitForEndAsync(portal.Http, "p", "long", 60);
        Assert.Equal("CANCELLED", t.GetProperty("state").GetString());
        var owned = await portal.Services.GetRequiredService<IContainerManager>().ListOwnedAsync(CancellationToken.None);
        Assert.DoesNotContain(owned, w => w.Labels.GetValueOrDefault(PortalLabels.Project) == "p" && w.Labels.GetValueOrDefault(PortalLabels.RecordName) == "long");
    }

    [SkippableFact]
    public async Task Extra_mounts_reach_the_notebook_and_bad_ones_are_refused_with_the_reason()
    {
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: "swarm");
        var shared = Path.GetDirectoryName(portal.Dir.File("shared/input.txt", "shared data"))!;
        var output = Directory.CreateDirectory(Path.Combine(portal.Dir.Path, "out")).FullName;
        // A host folder mounted read-write must be writable by the containers' user (uid 1000), as the README says.
        File.SetUnixFileMode(output, (UnixFileMode)0x1FF);
        var home = WriteNotebook(portal.Dir, "proj", "x = 1",
            "print(open('/data/input.txt').read(), flush=True)\nopen('/results/written.txt', 'w').write('from the notebook')");
        await CreateProjectAsync(portal.Http, "p", home);

        var bad = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "p", notebook = "nb.ipynb", mounts = new[] { "relative:/x", $"{shared}:/portal/work", "/no/such/dir:/y", "just-one-part" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("mounts").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("must be absolute"));
        Assert.Contains(errors, e => e.Contains("reserved for the portal"));
        Assert.Contains(errors, e => e.Contains("'/no/such/dir' does not exist"));
        Assert.Contains(errors, e => e.Contains("'just-one-part' is not"));

        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "p", name = "mounted", notebook = "nb.ipynb", mounts = new[] { $"{shared}:/data:ro", $"{output}:/results" },
        })).EnsureSuccessStatusCode();
        var t = await AssertFinishesAsync(portal.Http, "p", "mounted", 120);
        Assert.Equal(2, t.GetProperty("mounts").GetArrayLength());
        Assert.Contains("shared data", await portal.Http.GetStringAsync("/api/v1/trainings/p/mounted/log"));
        Assert.Equal("from the notebook", await File.ReadAllTextAsync(Path.Combine(output, "written.txt")));
    }
}
