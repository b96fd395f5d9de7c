using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Tests.Unit.Support;
using Xunit.Abstractions;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Trainings;

/// <summary>
/// Real engine faults: the tests stop and start a dockerd of their own (<see cref="PrivateDockerd"/>) while a training
/// runs on it, and check what the user sees meanwhile, the truth afterwards, and that nothing is left on the engine.
/// Swarm without live-restore (dockerd refuses it in swarm mode), so the stop takes the container with it; plain
/// Docker with live-restore, so the work goes on through the outage. Prints the figures the closing note reports.
/// </summary>
public sealed class EngineFaultTests(PrivateDockerdFixture engine, ITestOutputHelper output) : IClassFixture<PrivateDockerdFixture>
{
    private static Task<RealPortalHost> StartPortalAsync(PrivateDockerd dockerd, string manager) => RealPortalHost.StartAsync(
        $"docker:\n  daemon_address: {dockerd.Address}\n", manager: manager, managerYaml: "reconcile_seconds: 2\norphan_grace_seconds: 5");

    private static async Task<JsonElement> WaitForAsync(HttpClient http, string name, Func<JsonElement, bool> done, int seconds = 120)
    {
        JsonElement t = default;
        for (var i = 0; i < seconds * 4; i++)
        {
            t = await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/fault/{name}");
            if (done(t)) return t;
            await Task.Delay(250);
        }
        throw new TimeoutException($"training {name} never got there; last: {t}");
    }

    private static string State(JsonElement t) => t.GetProperty("state").GetString()!;

    private static bool Marked(JsonElement t) => t.GetProperty("engine_unreachable_since").ValueKind == JsonValueKind.String;

    private static async Task<IReadOnlyList<WorkloadInfo>> LeftOnEngineAsync(RealPortalHost portal) =>
        [.. (await portal.Services.GetRequiredService<IContainerManager>().ListOwnedAsync(CancellationToken.None))
            .Where(w => w.Labels.GetValueOrDefault(PortalLabels.Installation) == portal.Services.GetRequiredService<InstallationId>().Value)];

    private static async Task LaunchAsync(RealPortalHost portal, TempDir project, string name, params string[] cells)
    {
        WriteNotebook(project, "fault", cells);
        await CreateProjectAsync(portal.Http, "fault", Path.Combine(project.Path, "fault"));
        var launched = await portal.Http.PostAsJsonAsync("/api/v1/trainings", new { project = "fault", name, notebook = "nb.ipynb" });
        Assert.True(launched.IsSuccessStatusCode, $"{(int)launched.StatusCode}: {await launched.Content.ReadAsStringAsync()}");
    }

    [SkippableFact]
    public async Task Swarm_dockerd_stopped_while_a_training_runs_shows_unreachable_then_the_truthful_end_and_leaves_no_service()
    {
        await PrivateDockerd.RequireAsync();
        var dockerd = await engine.ReadyAsync(swarm: true, liveRestore: false);
        using var project = new TempDir();
        await using var portal = await StartPortalAsync(dockerd, "swarm");
        await LaunchAsync(portal, project, "stopped", "import time\nprint('epoch 1', flush=True)\ntime.sleep(300)");
        await WaitForAsync(portal.Http, "stopped", t => State(t) == "RUNNING");

        var stop = Stopwatch.StartNew();
        var stopping = dockerd.StopAsync();
        var marked = await WaitForAsync(portal.Http, "stopped", Marked, 60);
        output.WriteLine($"dockerd stopping: 'engine unreachable' shown after {stop.ElapsedMilliseconds} ms, state {State(marked)}");
        Assert.Equal("RUNNING", State(marked));
        await stopping;
        await Task.Delay(5000);
        Assert.Equal("RUNNING", State(await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/fault/stopped")));

        var back = Stopwatch.StartNew();
        await dockerd.StartAsync();
        var ended = await WaitForAsync(portal.Http, "stopped", t => State(t) is not ("RUNNING" or "WAITING"), 120);
        output.WriteLine($"dockerd started: {State(ended)} shown {back.ElapsedMilliseconds} ms later: {ended.GetProperty("message")}");
        Assert.Equal("FAILED", State(ended));
        Assert.False(Marked(ended));
        var message = ended.GetProperty("message").GetString()!;
        Assert.DoesNotContain("swarm mode", message);
        Assert.Contains("while the engine was unreachable", message);
        for (var i = 0; i < 60 && (await LeftOnEngineAsync(portal)).Count > 0; i++) await Task.Delay(500);
        Assert.Empty(await LeftOnEngineAsync(portal));
        output.WriteLine($"left on the engine {back.ElapsedMilliseconds} ms after its start: nothing ({(await dockerd.DockerAsync("service", "ls", "-q")).Trim().Length} services)");
    }

    [SkippableFact]
    public async Task Docker_with_live_restore_keeps_a_training_running_through_a_dockerd_restart_and_it_finishes_with_its_whole_log()
    {
        await PrivateDockerd.RequireAsync();
        var dockerd = await engine.ReadyAsync(swarm: false, liveRestore: true);
        using var project = new TempDir();
        await using var portal = await StartPortalAsync(dockerd, "docker");
        await LaunchAsync(portal, project, "survives",
            "import time\nprint('before the outage', flush=True)\ntime.sleep(20)\nprint('after the outage', flush=True)");
        await WaitForAsync(portal.Http, "survives", t => State(t) == "RUNNING");
        for (var i = 0; i < 120 && !(await portal.Http.GetStringAsync("/api/v1/trainings/fault/survives/log")).Contains("before the outage"); i++)
            await Task.Delay(250);

        var stop = Stopwatch.StartNew();
        await dockerd.StopAsync();
        var marked = await WaitForAsync(portal.Http, "survives", Marked, 60);
        output.WriteLine($"dockerd stopped (live-restore): 'engine unreachable' shown after {stop.ElapsedMilliseconds} ms, state {State(marked)}");
        await Task.Delay(3000);
        var back = Stopwatch.StartNew();
        await dockerd.StartAsync();
        var ended = await WaitForAsync(portal.Http, "survives", t => State(t) is not ("RUNNING" or "WAITING"), 120);
        output.WriteLine($"dockerd started: {State(ended)} shown {back.ElapsedMilliseconds} ms later");
        Assert.Equal("FINISHED", State(ended));
        Assert.False(Marked(ended));
        var log = await portal.Http.GetStringAsync("/api/v1/trainings/fault/survives/log");
        Assert.Single(log.Split('\n'), l => l.Contains("before the outage"));
        Assert.Single(log.Split('\n'), l => l.Contains("after the outage"));
        for (var i = 0; i < 60 && (await LeftOnEngineAsync(portal)).Count > 0; i++) await Task.Delay(500);
        Assert.Empty(await LeftOnEngineAsync(portal));
    }

    [SkippableFact]
    public async Task Docker_without_live_restore_a_service_container_runs_again_after_dockerd_restarts()
    {
        await PrivateDockerd.RequireAsync();
        var dockerd = await engine.ReadyAsync(swarm: false, liveRestore: false);
        using var client = dockerd.Client();
        var manager = RealDocker.Manager(client, "docker");
        var id = await manager.StartAsync(new WorkloadSpec
        {
            Name = "replica", Kind = WorkloadKind.Service, Image = "portal/notebook-base:latest", Command = ["sleep", "600"],
            Labels = WorkloadLabels.Of("fault-tests", "deployment", 1, "replica"),
        }, CancellationToken.None);
        try
        {
            await WaitForStateAsync(manager, id, WorkloadState.Running);
            await dockerd.StopAsync();
            var back = Stopwatch.StartNew();
            await dockerd.StartAsync();
            await WaitForStateAsync(manager, id, WorkloadState.Running);
            output.WriteLine($"dockerd restarted (no live-restore): the service's container runs again {back.ElapsedMilliseconds} ms after the start");
        }
        finally { await manager.RemoveAsync(id, CancellationToken.None); }
    }

    private static async Task WaitForStateAsync(IContainerManager manager, string id, WorkloadState state)
    {
        WorkloadStatus? last = null;
        for (var i = 0; i < 240 && last?.State != state; i++)
        {
            try { last = await manager.GetStatusAsync(id, CancellationToken.None); }
            catch (EngineUnreachableException) { }
            if (last?.State != state) await Task.Delay(250);
        }
        Assert.Equal(state, last?.State);
    }
}

/// <summary>One private dockerd for the class (the notebook image is copied to it once); disposed with everything on it.</summary>
public sealed class PrivateDockerdFixture : IAsyncLifetime
{
    private PrivateDockerd? _dockerd;

    public async Task<PrivateDockerd> ReadyAsync(bool swarm, bool liveRestore)
    {
        _dockerd ??= new PrivateDockerd();
        await _dockerd.EnsureAsync(swarm, liveRestore);
        return _dockerd;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dockerd is not null) await _dockerd.DisposeAsync();
    }
}
